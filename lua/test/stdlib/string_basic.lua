-- string.len, sub, upper, lower, reverse, rep, byte, char, dump, the string metatable, and
-- argument errors (named as the call site wrote the call, or by library name through pcall).

local function show(...)
  local t = table.pack(...)
  for i = 1, t.n do
    t[i] = type(t[i]) == "string" and string.format("%q", t[i]) or tostring(t[i])
  end
  print(table.concat(t, " "))
end

-- len and byte strings
show(string.len(""), string.len("abc"), #"\0\1\2", string.len("\u{10FFFF}"), #"\u{7FF}")
show(string.len(123), string.len(1.5), string.len(-0.0))

-- sub with every kind of position
local s = "hello world"
for _, r in ipairs({
  { 1, 5 },
  { 7 },
  { -5 },
  { -5, -2 },
  { 0 },
  { 0, 0 },
  { 3, 2 },
  { -100, 3 },
  { 5, 100 },
  { 100 },
  { -100, -50 },
  { math.mininteger, math.maxinteger },
  { 2, math.mininteger },
  { math.maxinteger },
}) do
  show(r[1], r[2], s:sub(r[1], r[2]))
end
show(pcall(string.sub))
show(pcall(string.sub, "x"))
show(pcall(string.sub, "x", 1.5))
show(pcall(string.sub, "x", "2"), pcall(string.sub, "xyz", "2.0"))
show(pcall(string.sub, "x", {}))

-- upper, lower: ASCII only in the C locale
show(string.upper("abcXYZ 123 \xe4\xf6\xfc \xc4"), string.lower("ABCxyz \xc4\xd6\xdc"))
show(("MiXeD"):lower(), ("MiXeD"):upper(), string.upper(12))

-- reverse
show(string.reverse(""), string.reverse("a"), string.reverse("abc\0def"), ("\1\2\255"):reverse():byte(1, -1))

-- rep
show(string.rep("ab", 3), string.rep("ab", 3, ", "), string.rep("x", 0), string.rep("x", -1), string.rep("", 5, "-"))
show(string.rep("x", 1, "sep"), string.rep("ab", 2, ""), #string.rep("abc", 1000))
show(pcall(string.rep, "x", 1e10))
show(pcall(string.rep, "x", math.maxinteger))
show(pcall(string.rep, "xx", 2 ^ 30, "yy"))
show(pcall(string.rep, "x", 2.5))
show(pcall(string.rep, "x"))

-- byte
show(string.byte("ABC"), string.byte("ABC", 2), string.byte("ABC", -1), string.byte("ABC", 1, -1))
show(
  string.byte("ABC", 0),
  string.byte("ABC", 10),
  string.byte("ABC", 2, 1),
  string.byte(""),
  string.byte("\255\0\128", 1, 3)
)
show(string.byte("hello", -3, -2), string.byte("hello", math.mininteger, 2))
show(pcall(string.byte, "x", 1, "a"))

-- char
show(string.char(), string.char(72, 105), string.char(0, 255, 10), string.char("65", 66.0))
show(pcall(string.char, 256))
show(pcall(string.char, 65, -1))
show(pcall(string.char, 1.5))
show(pcall(string.char, "x"))

-- dump is not available for compiled code here; PUC's message for non-functions is checked
show(pcall(string.dump, 42))

-- the string metatable
local mt = getmetatable("")
show(type(mt), mt.__index == string, rawequal(mt.__index, string))
show(("abc"):len(), ("%d-%s"):format(5, "x"), ("x"):rep(3, "."), #("abc"):upper())
show(pcall(function()
  return ("abc"):nosuch()
end))
show(pcall(function()
  return ("abc").x
end))
show(type(("abc").len), ("abc")[1])

-- errors named by the call site
show(pcall(function()
  return string.rep()
end))
show(pcall(function()
  return ("x"):rep()
end))
show(pcall(function()
  return ("x"):rep("y")
end))
show(pcall(function()
  local r = string.rep
  return r()
end))
show(pcall(function()
  return string.upper()
end))
show(pcall(function()
  return s.upper(nil)
end))
show(pcall(function()
  return string.len(nil)
end))
show(pcall(function()
  return string.byte({})
end))
show(pcall(string.len))
show(pcall(string.upper, {}))
show(pcall(string.lower, setmetatable({}, { __name = "MyType" })))
show(pcall(string.reverse, true))
