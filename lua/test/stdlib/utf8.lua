-- The utf8 library of Lua 5.3: char, charpattern, codes, codepoint, len, offset.

local function show(...)
  local t = table.pack(...)
  for i = 1, t.n do
    t[i] = type(t[i]) == "string" and string.format("%q", t[i]) or tostring(t[i])
  end
  print(table.concat(t, " "))
end
local function err(f, ...)
  local ok, m = pcall(f, ...)
  show(ok, m)
end
local function bytes(s)
  return table.concat({ s:byte(1, -1) }, ",")
end

-- char
show(utf8.char(), utf8.char(72, 105), bytes(utf8.char(0, 0x7f, 0x80, 0x7ff, 0x800, 0xffff, 0x10000, 0x10ffff)))
show(
  bytes(utf8.char(0xd800)),
  bytes(utf8.char(228)),
  utf8.char(0x20ac),
  utf8.char("65", 66.0),
  #utf8.char(0x10FFFF),
  #"\u{10FFFF}"
)
err(utf8.char, 0x110000)
err(utf8.char, -1)
err(utf8.char, 65, 0x7FFFFFFF)
err(utf8.char, 1.5)
err(utf8.char, "x")
show(utf8.charpattern, bytes(utf8.charpattern))

-- codepoint
local s = "h\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80!"
show(utf8.codepoint(s), utf8.codepoint(s, 2), utf8.codepoint(s, 1, -1))
show(
  utf8.codepoint(s, 4, 8),
  utf8.codepoint(s, -1),
  utf8.codepoint(s, 3, 2),
  utf8.codepoint("", 1, 0),
  utf8.codepoint("abc", 4, 3)
)
err(utf8.codepoint, s, 3)
err(utf8.codepoint, s, 0)
err(utf8.codepoint, s, 1, 100)
err(utf8.codepoint, "abc", 5)
err(utf8.codepoint, "\xff")
err(utf8.codepoint, "\xc0\x80")
err(utf8.codepoint, "\xed\xa0\x80x", 1, -1)
err(utf8.codepoint, "\xf4\x90\x80\x80")
err(utf8.codepoint, "\xf8\x88\x80\x80\x80")
err(utf8.codepoint, "\xe2\x82")
err(function()
  return utf8.codepoint("\x80")
end)

-- len
show(
  utf8.len(""),
  utf8.len("abc"),
  utf8.len(s),
  utf8.len(s, 2),
  utf8.len(s, 1, 2),
  utf8.len(s, -1),
  utf8.len(s, 4, 4),
  utf8.len(s, 5)
)
show(
  utf8.len("\xff"),
  utf8.len("ab\xffcd"),
  utf8.len("ab\xc3"),
  utf8.len("\xc0\x80"),
  utf8.len("\xf4\x90\x80\x80"),
  utf8.len("a\x80", 1, 1)
)
show(
  utf8.len("abc", 4),
  utf8.len("abc", 3, 2),
  utf8.len("abc", -1, -2),
  utf8.len("\xed\xa0\x80"),
  utf8.len("\u{7FF}\u{FFFF}")
)
err(utf8.len, "abc", 5)
err(utf8.len, "abc", 0)
err(utf8.len, "abc", 1, 4)
err(utf8.len, "abc", -5)
err(utf8.len)

-- offset
for _, a in ipairs({
  { 1 },
  { 2 },
  { 3 },
  { 4 },
  { 5 },
  { 6 },
  { 7 },
  { 0, 3 },
  { 0, 4 },
  { 0, 9 },
  { -1 },
  { -2 },
  { -5 },
  { -6 },
  { 1, 4 },
  { 2, 4 },
  { -1, 4 },
  { 0, 12 },
  { 1, 12 },
  { 2, 12 },
}) do
  show(a[1], a[2], utf8.offset(s, a[1], a[2]))
end
show(
  utf8.offset("", 1),
  utf8.offset("", 0),
  utf8.offset("", -1),
  utf8.offset("abc", 1, -1),
  utf8.offset("abc", 0, -1),
  utf8.offset("abc", 4),
  utf8.offset("abc", 5)
)
err(utf8.offset, s, 1, 3)
err(utf8.offset, s, 1, 13)
err(utf8.offset, s, 1, 0)
err(utf8.offset, s, -1, -20)
err(utf8.offset, s)

-- codes
for p, c in utf8.codes(s) do
  show(p, c)
end
for p, c in utf8.codes("") do
  show("never", p, c)
end
for p, c in utf8.codes(12) do
  show(p, c)
end
err(function()
  for p, c in utf8.codes("ab\xffcd") do
    show(p, c)
  end
end)
err(function()
  for p, c in utf8.codes("ab\xc3") do
    show(p, c)
  end
end)
err(function()
  for p, c in utf8.codes("a\xc3\xa9\xa9") do
    show(p, c)
  end
end)
err(function()
  for p, c in utf8.codes("\x80abc") do
    show(p, c)
  end
end)
err(utf8.codes)
err(utf8.codes, {})

-- charpattern with the string library
local chars = {}
for c in s:gmatch(utf8.charpattern) do
  chars[#chars + 1] = bytes(c)
end
show(table.concat(chars, " | "))
show(("\u{48}\u{49}\u{20AC}"):len(), #"\u{0}", ("x\u{10FFFF}y"):byte(1, -1))
