local n = { 3, 3.0, 0xff, 0x1p4, 1e2, .5, 0x7fffffffffffffff, 0xffffffffffffffff, 9223372036854775808 }
local s = { "a\tb", 'q\'', "\65\x42\u{43}\z
            D", [[
long]], [==[x]]y]==], "é" }
local k = { nil, true, false, { x = 1, [2] = 2, 3; } }
