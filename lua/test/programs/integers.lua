-- 64-bit integers: wraparound, division and modulo signs, conversions (manual §3.4.1)
local maxi, mini = math.maxinteger, math.mininteger
print(maxi, mini, maxi + 1 == mini, mini - 1 == maxi, -mini == mini)
print(maxi * 2, maxi * maxi, mini * -1, mini // -1, mini % -1)
print(2 ^ 53 + 1, (2 ^ 53 | 0) + 1, 9007199254740993, -9007199254740993)
print(123456789 * 987654321, 0x7fffffff * 0x7fffffff, 0xffffffffffffffff, 0x8000000000000000)
print(1 << 62, 1 << 63, 1 << 64, 1 >> 1, -1 >> 60, -1 << 1, 5 >> -1, 5 << -1)
print(3 & -1, 0xF0 | 0x0F, 0xFF ~ 0x0F, ~5, ~mini, maxi & mini)
for _, p in ipairs({ { 7, 3 }, { -7, 3 }, { 7, -3 }, { -7, -3 }, { 0, 5 }, { mini, 7 }, { maxi, -2 } }) do
  local a, b = p[1], p[2]
  print(a, b, a // b, a % b, a / b)
end
print(pcall(function()
  return 1 // 0
end))
print(pcall(function()
  return mini % 0
end))
print(1 // 0.0, -1 // 0.0, 0.0 / 0.0 ~= 0.0 / 0.0, 1 % math.huge, -1 % math.huge, 1 % -math.huge)
print(math.type(1), math.type(1.0), math.type(2 ^ 31), math.type(1 // 1), math.type(1.0 // 1), math.type(maxi + 0.0))
print(maxi + 0.0, mini + 0.0, maxi // 1.0, 2 ^ 63 == maxi + 1.0, 2 ^ 63 // 1 == maxi + 1.0)
print(math.tointeger(2 ^ 53), math.tointeger(2.5), math.tointeger(-0.0), math.tointeger("10"))
print(string.format("%d", 3.0), pcall(string.format, "%d", 3.5))
print(10 // 3, 10.5 // 3, -10.5 // 3, 10 % 3.5, -10 % 3.5, 5.3 % -2)
print(7 // 2 * 2 + 7 % 2, -7 // 2 * 2 + -7 % 2)
local x = 0
for i = 1, 100 do
  x = x * 31 + i
end
print(x)
local h = 0
for i = 1, 1000 do
  h = (h * 1103515245 + 12345) & 0xffffffff
end
print(h)
local big = 1
for i = 1, 70 do
  big = big * 3
end
print(big)
print(mini // 1, mini * 1, mini + 0, -(mini + 1))
print(0x10p1, 0x.8, 0xA.8p2, 1e2, 1E-2, 0.5, 5., 3e0)
