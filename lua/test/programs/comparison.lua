-- comparisons and equality (manual §3.4.4)
local a, b = {}, {}
print(a == a, a == b, a ~= b, 1 == 1.0, "1" == 1, nil == false, 0 == -0)
print(1 < 2, 2 <= 2, 3 > 2.5, "a" <= "a", "b" >= "a", not (1 > 2))
print(math.mininteger < math.maxinteger, math.mininteger + 0.0 == math.mininteger)
print(pcall(function()
  return a < b
end))
print(pcall(function()
  return 1 < "2"
end))
print(pcall(function()
  return {} <= 1
end))
print(pcall(function()
  return nil > 1
end))
print(pcall(function()
  return true < false
end))
print(pcall(function()
  return print < print
end))
local nan = 0 / 0
print(nan == nan, nan < nan, nan <= nan, nan > 1, 1 < nan, not (nan >= nan))
print(2 ^ 63 == math.maxinteger + 1.0, 2 ^ 63 > math.maxinteger, math.maxinteger < 2 ^ 63)
print(-2 ^ 63 == math.mininteger, 9007199254740993 > 2 ^ 53, 9007199254740993 < 2 ^ 53 + 2)
print("a\0b" < "a\0c", "a\0" > "a", "\255" > "\1")
print(1 and 2, nil and 1, false or "x", nil or false, 1 or error("no"), false and error("no"))
local x = 5
print(x > 3 and "big" or "small", x > 10 and "big" or "small")
