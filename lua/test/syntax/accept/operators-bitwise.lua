-- §3.4.2: bitwise operators and their precedence
local a = 1 | 2 ~ 3 & 4 << 5 >> 6
local b = ~0, ~~5, ~ ~ 5
local c = 0xF0 | 0x0F, 0xFF & 0x0F, 0xFF ~ 0x0F
local d = 1 << 63, -1 >> 1
local e = 1 | 2 == 3, 5 .. 6 << 1
