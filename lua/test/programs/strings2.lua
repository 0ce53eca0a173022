-- strings as byte strings, escapes, length, concat
print(
  #"",
  #"abc",
  #"\0\0",
  #"\u{10FFFF}",
  #"\xff",
  "\65\066\x43",
  "a\z
      b",
  "tab\tend"
)
local s = "hello"
print(s:len(), s:upper(), s:sub(2, 3), s:byte(1), string.char(72, 105), s:rep(2, "-"))
print(("%d-%s"):format(5, "x"), s .. 1 .. 2.0, #(s .. s))
local parts = {}
for i = 1, 10 do
  parts[#parts + 1] = tostring(i)
end
print(table.concat(parts, ","))
local long = ""
for i = 1, 100 do
  long = long .. "ab"
end
print(#long, long:sub(-4))
print(
  [[long
string]],
  [==[with ]] inside]==]
)
print("a" .. "b" .. "c" .. 1 .. 2 .. "d", 1 .. 2)
print(("x"):byte(-1), ("abc"):find("b"), ("abc"):match("(%w)(%w)"))
print(string.format("%q", 'a\nb\0c"d\\'))
print(tostring(nil) .. tostring(false), type("") == "string")
