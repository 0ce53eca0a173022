-- float formatting and subtype rules (manual §3.4.3, tostring uses %.14g)
print(1e15, 1e16, 1e100, -1e-100, 2 ^ 53, 2 ^ 63, 2 ^ 64, 0.1, 1 / 3, -1 / 3, 100 / 7)
print(1.0, -0.0, 0.0, 3.0 == 3, 1e300 * 1e10, -1e300 * 1e10, math.huge // 1)
print(0 / 0 ~= 0 / 0, tostring(0 / 0) == tostring(0 / 0), math.huge, -math.huge)
print(255 / 5, 2 ^ 2, 10 / 2, 3 * 1.0, 2 ^ -1, (-2) ^ 2, (-8) ^ (1 / 3) ~= (-8) ^ (1 / 3))
print(1.5e300 * 1.5e300, 5e-324, 5e-324 / 2, 2.2250738585072014e-308)
print(123456789012.0, 12345678901234.0, 123456789012345.0, 1234567890123456.0)
print(0.1 + 0.2, 0.1 + 0.2 == 0.3, 1 - 0.9, 100 * 1.1)
print(3.14159265358979, -2.5e-5, 6.02214076e23, 1.7976931348623157e308)
print(math.floor(-0.0), math.ceil(-0.5), math.floor(2 ^ 62), math.floor(1e100) == 1e100)
print(1e15 + 0.5, 2 ^ 52 + 0.5, -(2 ^ 52) - 0.5)
print(string.format("%.3f", 2.0005), string.format("%g", 1e-5), string.format("%.14g", 0.1))
print(7.0 // 0.5, 7.5 % 2, -7.5 % 2, 7.5 % -2, -0.0 % 1)
local t = {}
t[1.0] = "one"
t[2] = "two"
t[2 ^ 53] = "big"
print(t[1], t[2.0], t[2 ^ 53 | 0], #t)
print(
  1 == 1.0,
  2 ^ 53 == 2 ^ 53 + 1,
  math.maxinteger + 0.0 == math.maxinteger,
  math.maxinteger - 1 < math.maxinteger + 0.0
)
print(1 < 1.1, -1 > -1.1, 2 ^ 63 > math.maxinteger, -(2 ^ 63) <= math.mininteger, -(2 ^ 63) < math.mininteger)
