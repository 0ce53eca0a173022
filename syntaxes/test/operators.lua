local a, b = 7, 2
local arith = a + b - a * b / a // b % a ^ b
local bits = a & b | a ~ b << 1 >> 2 ~a
local cmp = a == b, a ~= b, a < b, a <= b, a > b, a >= b
local logic = a and b or not a
local s = "x" .. "y" .. #"zz"
local function f(...) return select("#", ...) end
local t = { [1] = a; b, c = { d = 1 } }
