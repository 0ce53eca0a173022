-- string <-> number coercions (manual §3.4.3)
print("10" + 1, "10" * "2", "3.5" + 1, "0x10" + 0, " 7 " * 1, "1e2" - 0, -"2", -"-2.5")
print(10 .. "", 1.5 .. "|", -0.0 .. "", 2 ^ 63 .. "", math.mininteger .. "", 1e100 .. "")
print("5" // 2, "5" % 2, "2" ^ 3, "7" / "2", "3" | 0, "0x7" & 3, ~"0")
print(pcall(function()
  return "abc" + 1
end))
print(pcall(function()
  return {} .. ""
end))
print(pcall(function()
  return "1.5" | 0
end))
print(pcall(function()
  return "x" | 0
end))
print(pcall(function()
  local s = "9"
  return s < 10
end))
print(10 == "10", "abc" < "abd", "Z" < "a", "" < "a", "a" < "aa", "10" < "9")
print(
  tonumber("0x1p4"),
  tonumber("1e"),
  tonumber(".5"),
  tonumber("5."),
  tonumber("0x.1"),
  tonumber("inf"),
  tonumber("nan")
)
print(
  tonumber("  -0x10  "),
  tonumber("- 1"),
  tonumber("1_000"),
  tonumber("9223372036854775807"),
  tonumber("9223372036854775808")
)
print(
  tonumber("ff", 16),
  tonumber("FF", 16),
  tonumber("-ff", 16),
  tonumber("777", 8),
  tonumber("102", 2),
  tonumber("zz", 36)
)
print(math.type(tonumber("10")), math.type(tonumber("10.0")), math.type(tonumber("1e1")), math.type(tonumber("0x10")))
print(tostring(10), tostring(10.0), tostring(-0.0), tostring(1e15), tostring(123456789012345678))
print(#tostring(12345), ("x"):rep(3))
