-- the string library without patterns (manual §6.4)
local s = "Hello, World"
print(#s, s:len(), s:upper(), s:lower(), s:reverse())
print(s:sub(1, 5), s:sub(-5), s:sub(-5, -2), s:sub(0), s:sub(8, 100), s:sub(5, 2), s:sub(-100, 2))
print(s:byte(1), s:byte(-1), s:byte(1, 3), s:byte(100))
print(string.char(72, 105, 0, 255):byte(1, -1))
print(("ab"):rep(3), ("ab"):rep(3, "-"), ("x"):rep(0), ("x"):rep(-1))
print(
  "a\0b" == "a\0b",
  #"a\0b",
  "\65\066\x43\u{44}\z
       E",
  "\u{7FF}" == "\xDF\xBF",
  "'" .. '"'
)
print(("%5.2s|"):format("abc"), ("%-8sX"):format("ab"), ("%3d|%-3d|%03d"):format(1, 2, 3))
print(string.format("%g %g %g %g %g", 1e-5, 123456789, 0.5, 2 ^ 63, -0.0))
print(string.format("%.0f %.0f %.0f %.1f", 0.5, 1.5, 2.5, 0.25))
print(string.format("%5.1f|%-8.3e|%+.2g", -3.14159, 1234.5, 0.000123))
print(string.format("%i %u", -5, 5), pcall(string.format, "%d", 1.5))
print(string.format("%10.4f|", math.pi), string.format("%#x %#o", 255, 8))
print(pcall(string.format, "%y", 1))
print(tostring(12):rep(2), 10 .. "", -0.0 .. "", 2 ^ 63 .. "")
print("abc" < "abd", "Z" < "a", "" < "a", "a\0b" < "a\0c", ("a"):rep(3) == "aaa")
print(utf8.char(72, 228, 8364, 128512), utf8.len("häll€"), utf8.codepoint("häll€", 1, -1))
for p, c in utf8.codes("aé€") do
  print("code", p, c)
end
print(utf8.offset("aé€x", 3), utf8.offset("aé€x", -1), utf8.len("\xff"), utf8.charpattern)
