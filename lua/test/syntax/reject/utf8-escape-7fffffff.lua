-- error: 3:11: UTF-8 value too large near '"\u{7FFFFF'
-- Lua 5.4 accepts escapes up to 2^31; Lua 5.3 stops at 10FFFF
local s = "\u{7FFFFFFF}"
