-- Every opcode luac emits for ordinary code (LOADKX/EXTRAARG need 2^18 constants: see undump.test).
local a, b, c = 1, 2.5, "three"
local d, e
local t = { 1, 2, 3, x = 1, ["y z"] = 2, [10] = a, f = function() return a end }
t.x, t[a] = b, c
g1 = a + b - a * b / a % b ^ 2 // a
g2 = a & d | e ~ a << d >> e
g3 = -a, ~a, not a, #t, a .. c .. "!"
local u = a == b, a < b, a <= b, a ~= b, a > 1, 1 >= a, a == "x"
local v = a and b or c
if a then d = 1 elseif b then d = 2 else d = 3 end
while d < 10 do d = d + 1 end
repeat d = d - 1 until d <= 0
for i = 1, 10, 2 do e = i end
for k, w in pairs(t) do e = k end
do goto skip end
::skip::
local obj = {}
function obj:method(x, ...) self.x = x; return ... end
function obj.plain(y) return obj:method(y) end
local function counter()
  local n = 0
  return function() n = n + 1; return n end
end
local function outer()
  return function() return function() return a, counter end end
end
print(select('#', ...), ...)
local inf, ninf, nz = 1e999, -1e999, -0.0
local big, minint, hex, fl = 9007199254740993, math.mininteger, 0xffffffffffffffff, 2^53
local s = "quote\" back\\ bell\a\b\f\n\r\t\v\0\1\127\128\255 end"
local long = [[
A long string constant, longer than two hundred and fifty four bytes, so that the dump writes its
size as 0xFF followed by a size_t. Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do
eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud.
]]
local nothing, yes, no = nil, true, false
return counter()(), outer, obj.plain(a)
