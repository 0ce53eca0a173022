-- §3.4.1: arithmetic operators, including floor division
local a = 1 + 2 - 3 * 4 / 5 % 6 ^ 7
local b = 7 // 2, 7.0 // 2, -7 // 2
local c = 2 ^ 3 ^ 2       -- right associative
local d = -2 ^ 2          -- unary binds looser than ^
local e = - - 1, not not x
