-- string.pack, string.unpack, string.packsize: every option, endianness, alignment, limits, errors.

local function show(...)
  local t = table.pack(...)
  for i = 1, t.n do
    t[i] = type(t[i]) == "string" and string.format("%q", t[i])
      or math.type(t[i]) == "float" and string.format("%.17g", t[i])
      or tostring(t[i])
  end
  print(table.concat(t, " "))
end
local function hex(s)
  return (s:gsub(".", function(c)
    return string.format("%02x", c:byte())
  end))
end
local function err(f, ...)
  local ok, m = pcall(f, ...)
  show(ok, m)
end
local function roundtrip(fmt, ...)
  local ok, p = pcall(string.pack, fmt, ...)
  if not ok then
    show(fmt, "pack error", p)
    return
  end
  show(fmt, hex(p), string.packsize and pcall(string.packsize, fmt), string.unpack(fmt, p))
end

-- integers of every size and signedness, both byte orders
for _, v in ipairs({
  0,
  1,
  -1,
  127,
  -128,
  255,
  256,
  32767,
  -32768,
  65535,
  2 ^ 31 - 1,
  -2 ^ 31,
  2 ^ 32 - 1,
  math.maxinteger,
  math.mininteger,
}) do
  for _, f in ipairs({
    "<b",
    "<B",
    "<h",
    ">h",
    "<H",
    "<i",
    ">i",
    "<I",
    "<l",
    ">L",
    "<j",
    ">J",
    "<T",
    "<i3",
    ">I3",
    "<i16",
    ">i16",
    "<I16",
    ">I9",
    "<i7",
  }) do
    local ok, p = pcall(string.pack, f, v)
    if ok then
      show(f, v, hex(p), string.unpack(f, p))
    else
      show(f, v, p)
    end
  end
end
-- floats
for _, v in ipairs({
  0.0,
  -0.0,
  1.0,
  -1.5,
  0.1,
  1 / 3,
  1e300,
  5e-324,
  3.4028234663852886e38,
  1e39,
  1e-46,
  1 / 0,
  -1 / 0,
  42,
}) do
  for _, f in ipairs({ "<f", ">f", "<d", ">d", "<n", "=n" }) do
    local p = string.pack(f, v)
    show(f, hex(p), string.unpack(f, p))
  end
end
-- strings
roundtrip("z", "hello")
roundtrip("z", "")
roundtrip("s", "hello")
roundtrip("s1", "hi")
roundtrip(">s2", "hi")
roundtrip("<s4", "")
roundtrip("s16", "x")
roundtrip("c5", "abc")
roundtrip("c3", "abc")
roundtrip("c0", "")
roundtrip("c1", "x")
roundtrip("zzs1c2", "a", "bc", "def", "gh")
err(string.pack, "c2", "abc")
err(string.pack, "s1", string.rep("x", 256))
err(string.pack, "z", "a\0b")
err(string.pack, "c")
show(hex(string.pack("s1", string.rep("x", 255))):sub(1, 6))
-- alignment and padding
for _, f in ipairs({
  "!4 b i4",
  "!8 b d",
  "!2 b i8",
  "!b i8",
  "b !4 h b i4",
  "<!8 i3 i8",
  "!8 b Xi4 b",
  "!8 b Xd b",
  "bXhb",
  "!4 b Xi8 b",
  "i3 !4 i4",
  "x",
  "xxb",
  "bx!8Xj",
}) do
  local n = select(2, f:gsub("[bhijdnBHIJ]%d*", ""))
  local args = {}
  for i = 1, n do
    args[i] = i
  end
  local ok, p = pcall(string.pack, f, table.unpack(args))
  if ok then
    show(f, hex(p), string.packsize(f), string.unpack(f, p))
  else
    show(f, p)
  end
end
err(string.pack, "!3 i4", 1)
err(string.pack, "!17", 1)
err(string.pack, "X", 1)
err(string.pack, "Xc1", 1)
err(string.pack, "bXz", 1)
err(string.pack, "!4 i3", 1)
err(string.packsize, "!4 i3 i3")
show(string.packsize("!8 i2 i8"), string.packsize("!16 i16 d"), string.packsize("!2 i16 d"))
-- sizes and limits
show(
  string.packsize(""),
  string.packsize("b"),
  string.packsize("hHiIlLjJTfdn"),
  string.packsize("i1i2i3i4i5i6i7i8i9i10i11i12i13i14i15i16")
)
show(string.packsize("c100"), string.packsize("!8bd"), string.packsize("<>=! b"), string.packsize(" "))
err(string.packsize, "s")
err(string.packsize, "z")
err(string.packsize, "i0")
err(string.packsize, "i17")
err(string.packsize, "I100")
err(string.packsize, "y")
err(string.packsize, "c")
err(string.packsize, "c2147483647c1")
err(string.packsize, "c1073741824c1073741824")
err(string.packsize, "c2147483646")
show(string.packsize("c214748364"))
err(string.pack, "i1", 128)
err(string.pack, "i1", -129)
err(string.pack, "I1", 256)
err(string.pack, "I1", -1)
err(string.pack, "i2", 1.5)
err(string.pack, "i4", "x")
err(string.pack, "d", "x")
err(string.pack, "i4")
show(
  hex(string.pack("i2", "10")),
  hex(string.pack("d", "0.5")),
  hex(string.pack("I8", -1)),
  hex(string.pack("<i4", 3.0))
)
-- unpack positions and errors
local data = string.pack("<i4i4i4", 1, 2, 3)
show(
  string.unpack("<i4", data),
  string.unpack("<i4", data, 5),
  string.unpack("<i4", data, -4),
  string.unpack("<i4", data, 9)
)
show(
  string.unpack("<i4i4", data, 5),
  string.unpack("", data),
  string.unpack("", data, 13),
  string.unpack("c0", data, 13)
)
err(string.unpack, "<i4", data, 10)
err(string.unpack, "<i4", data, 14)
err(string.unpack, "<i4", data, 0)
err(string.unpack, "<i4", data, -20)
err(string.unpack, "i4", "abc")
err(string.unpack, "s1", "\5abc")
err(string.unpack, "z", "abc")
show(string.unpack("z", "abc\0def"), string.unpack("zz", "a\0b\0"))
show(pcall(string.unpack, "zb", "abc"))
err(string.unpack, ">i9", "\1\0\0\0\0\0\0\0\0")
err(string.unpack, "<i9", "\0\0\0\0\0\0\0\128\1")
show(
  string.unpack("<i9", "\255\255\255\255\255\255\255\255\255"),
  string.unpack("<I9", "\1\0\0\0\0\0\0\0\0"),
  string.unpack("<i12", string.pack("<i12", -5))
)
err(string.unpack, "<I9", "\255\255\255\255\255\255\255\255\255")
err(string.unpack, "i4", 1234)
err(string.unpack)
err(function()
  return string.pack("i17", 1)
end)
err(function()
  return ("i4"):pack()
end)
-- native sizes of this platform
show(
  #string.pack("i", 1),
  #string.pack("l", 1),
  #string.pack("j", 1),
  #string.pack("T", 1),
  #string.pack("n", 1),
  #string.pack("h", 1)
)
show(hex(string.pack("=i4", 1)), hex(string.pack("i4", 1)))
-- the format is a C string: it ends at a zero byte; messages show unprintable options by code
err(string.pack, "\200")
show(hex(string.pack("i4\0i4", 1, 2)), string.packsize("i4\0i4"), string.unpack("i4\0i4", string.pack("i4i4", 1, 2)))
