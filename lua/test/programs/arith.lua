-- integers, floats and their subtypes (manual §3.4.1, §3.4.3)
print(1, 1.0, -0.0, 1e15, 1e16, 2 ^ 53, 2 ^ 63, 0.1, 1 / 3, -1 / 3, 100 // 7, 100 / 7)
print(math.maxinteger + 1 == math.mininteger, math.mininteger - 1 == math.maxinteger)
print(math.maxinteger * 2, math.mininteger // -1, math.mininteger % -1)
print(7 // 2, -7 // 2, 7 // -2, 7.0 // 2, -7 // 2.0, 7 % 3, -7 % 3, 7 % -3, -7 % -3, 3 % -2, 5.5 % -2)
print(1 // 0.0, -1 // 0.0, 0 / 0 ~= 0 / 0, 1e308 * 10, -1e308 * 10)
print(pcall(function()
  return 1 // 0
end))
print(pcall(function()
  return 1 % 0
end))
print(math.type(1), math.type(1.0), math.type("1"), math.type(2 ^ 31), math.type(1 // 1), math.type(1 / 1))
print(3 & 5, 3 | 5, 3 ~ 5, ~0, 1 << 63, 1 << 64, -1 >> 1, 2 ^ 53 | 0, "3" + 4, "3.0" + 4, "0x10" * 2, 10 .. 20)
print(pcall(function()
  return 1.5 | 0
end))
print(pcall(function()
  return "a" + 1
end))
print(1 == 1.0, math.maxinteger + 0.0 == math.maxinteger, 2 ^ 53 == 2 ^ 53 + 1, "1" == 1, 1 < 1.5, -0.0 == 0)
print(math.floor(3.7), math.ceil(3.2), math.floor(-3.5), math.huge, -math.huge, math.pi)
print(math.abs(math.mininteger), math.abs(-0.0), math.fmod(7, 3), math.fmod(-7, 3), math.fmod(7, -3.5))
print(math.tointeger(3.0), math.tointeger(3.5), math.tointeger("8"), math.ult(1, -1), math.max(1, 2.5, -1), math.min(3))
print(tostring(1e100), tostring(-1e-100), 123456789012345678)
print(string.format("%d %5d %-5d| %05d %+d %x %X %o %c", 42, 42, 42, 42, 42, 255, 255, 8, 65))
print(string.format("%.3f %10.2f %-10.2f| %e %g %g %g %a", 3.14159, 2.5, 2.5, 12345.678, 0.0001, 1e20, 100, 1.0))
print(string.format("%q", 'tab\there\nnew "quoted" \\ \0 end'), string.format("%q", 255), string.format("%q", 0.5))
print(string.format("%s %s %s %10s|%-10s|%.2s", nil, true, 12, "right", "left", "truncate"))
print(
  tonumber("  0x1p4  "),
  tonumber("1e1"),
  tonumber("z", 36),
  tonumber("777", 8),
  tonumber(""),
  tonumber("1 2"),
  tonumber(nil)
)
for i = 1, 3 do
  io = nil
end
for i = 10, 1, -3 do
  print("down", i)
end
for i = 1, 2, 0.5 do
  print("float step", i)
end
for i = 1.0, 3 do
  print("float init", i)
end
for i = math.maxinteger - 2, math.maxinteger - 1 do
  print("edge", i)
end
for i = 1, 0 do
  print("never")
end
print(pcall(function()
  for i = 1, 10, 0 do
    return "zero step runs"
  end
end))
