-- string.format: every conversion with flags, widths and precisions as C's printf (glibc), %q,
-- __tostring for %s, and PUC's errors.

local function try(fmt, ...)
  local ok, r = pcall(string.format, fmt, ...)
  print(fmt, ok and "[" .. r .. "]" or "error: " .. r)
end

-- integers
for _, f in ipairs({
  "%d",
  "%5d",
  "%-5d|",
  "%05d",
  "%+d",
  "% d",
  "%+05d",
  "%.3d",
  "%8.3d",
  "%-8.3d|",
  "%.0d",
  "%+.0d",
  "%i",
  "%#d",
}) do
  try(f, 42)
  try(f, -42)
  try(f, 0)
end
for _, f in ipairs({
  "%u",
  "%o",
  "%#o",
  "%x",
  "%X",
  "%#x",
  "%#X",
  "%08x",
  "%#08x",
  "%-#8x|",
  "%.4x",
  "%#.0o",
  "%#.0x",
  "%+x",
  "% o",
}) do
  try(f, 255)
  try(f, -1)
  try(f, 0)
end
try("%d", math.maxinteger)
try("%d", math.mininteger)
try("%x", math.mininteger)
try("%o", math.mininteger)
try("%d", "12")
try("%d", " 0x10 ")
try("%d", 3.0)
try("%d", -0.0)
try("%d", 2 ^ 53)
try("%d", 2 ^ 63)
try("%d", 3.5)
try("%d", "3.5")
try("%d", "abc")
try("%d", {})
try("%d")
try("%5.2d|%-3i|%u", 7, 8, 9)

-- characters
try("%c", 65)
try("%5c|", 66)
try("%-5c|", 67)
try("%c", 256 + 68)
try("%c%c%c", 76, 117, 97)
try("%05c", 69)
print(#string.format("%c", 0), string.format("%c", 0) == "\0")
try("%c", "x")
try("%c", 65.5)

-- floats
local values = {
  0.0,
  -0.0,
  1.0,
  -1.5,
  0.1,
  2.5,
  3.14159265358979,
  1e15,
  1e16,
  1e-5,
  1e-4,
  123456789.125,
  1e300,
  -1e-300,
  2 ^ 53,
  2 ^ 63,
  5e-324,
  1 / 0,
  -1 / 0,
  1,
  -3,
}
for _, f in ipairs({
  "%f",
  "%.0f",
  "%.1f",
  "%.3f",
  "%10.2f|",
  "%-10.2f|",
  "%010.2f",
  "%+f",
  "% f",
  "%#.0f",
  "%e",
  "%.0e",
  "%.2e",
  "%E",
  "%12.3e|",
  "%#.0e",
  "%+e",
  "%g",
  "%.0g",
  "%.1g",
  "%.3g",
  "%.10g",
  "%G",
  "%#g",
  "%#.3g",
  "%10g|",
  "%-10g|",
  "%010g",
  "%+g",
  "%.14g",
  "%.17g",
  "%.99g",
}) do
  local out = {}
  for _, v in ipairs(values) do
    out[#out + 1] = string.format(f, v)
  end
  print(f, table.concat(out, " "))
end
print(string.format("%.99f", 1e-10))
print(string.format("%.99f", -1e300):sub(1, 50))
print(string.format("%.20f %.20e %.30g", 0.1, 0.1, 0.1))
print(string.format("%.3f %.3f %.3f %.3f %.2f %.0f %.0f %.0f", 0.0005, 0.0015, 1.0005, 2.0005, 1.005, 0.5, 1.5, 2.5))

-- hexadecimal floats
for _, f in ipairs({
  "%a",
  "%A",
  "%.0a",
  "%.1a",
  "%.3a",
  "%.13a",
  "%.20a",
  "%#a",
  "%#.0a",
  "%12a|",
  "%-12a|",
  "%012a",
  "%+a",
  "% a",
}) do
  local out = {}
  for _, v in ipairs({ 0.0, -0.0, 1.0, 1.5, -0.1, 1 / 3, 1e300, 5e-324, 2 ^ -1022, 1.999, 0x1.08p0, 0x1.18p0, 1 / 0, 1 }) do
    out[#out + 1] = string.format(f, v)
  end
  print(f, table.concat(out, " "))
end

-- strings
try("%s", "abc")
try("%s", 12)
try("%s", 1.5)
try("%s", nil)
try("%s", true)
try("%10s|", "abc")
try("%-10s|", "abc")
try("%.2s", "abc")
try("%5.1s|", "abc")
try("%.0s|", "abc")
try("%05s", "ab")
try("%s", "a\0b")
try("%.5s", "a\0b")
try("%10s", "a\0b")
try(
  "%s",
  setmetatable({}, {
    __tostring = function()
      return "OBJ"
    end,
  })
)
try(
  "%8s|",
  setmetatable({}, {
    __tostring = function()
      return "OBJ"
    end,
  })
)
try(
  "%s",
  setmetatable({}, {
    __tostring = function()
      return 42
    end,
  })
)
try(
  "%s",
  setmetatable({}, {
    __tostring = function()
      return {}
    end,
  })
)
print((string.format("%s", setmetatable({}, { __name = "MyType" })):gsub("0x%x+", "ADDR")))
local long = string.rep("x", 120)
print(
  #string.format("%s", long),
  #string.format("%5s", long),
  #string.format("%.5s", long),
  #string.format("%-99s", long)
)
try("%s")

-- %q
for _, v in ipairs({
  "plain",
  'quote " backslash \\ newline \n end',
  "cr \r tab \t zero \0 one \1",
  "\0001",
  "\0a",
  "\127\128\255",
  "\r9",
  "bell\a",
  "",
  1,
  -1,
  0,
  math.maxinteger,
  math.mininteger,
  1.5,
  -0.0,
  0.1,
  1e100,
  2 ^ 63,
  1 / 0,
  -1 / 0,
}) do
  try("%q", v)
end
try("%q", true)
try("%q", false)
try("%q", nil)
try("%q", {})
try("%q", print)
try("%10q", "x")
try("%-5q|", 1)
print(load("return " .. string.format("%q", "a\0b\r\n\1\2\0033\255"))() == "a\0b\r\n\1\2\0033\255")
print(load("return " .. string.format("%q", 0.1))() == 0.1, math.type(load("return " .. string.format("%q", 2.0))()))

-- literal text and %%
try("")
try("no conversions")
try("100%%")
try("%%d", 5)
try("a%%b%%c")
try("tab\tzero\0end")
print(#string.format("a\0b%dc\0", 5))

-- errors
try("%y", 1)
try("%F", 1)
try("%n", 1)
try("%", 1)
try("%")
try("%5", 1)
try("%.", 1)
try("%-", 1)
try("%\200", 1)
try("%123d", 1)
try("%1.123d", 1)
try("%.123f", 1)
try("%100d", 1)
try("%------d", 1)
try("%-----5d|", 1)
try("%+- #0d", 1)
try("%+- #0+d", 1)
try("%00005d", 1)
try("%d %d", 1)
try("%d %s %d", 1, "x")
try("%5.3q", "x")
try("%Ld", 1)
try("%ld", 1)
try("%hd", 1)
try("%lf", 1)
print(pcall(function()
  return string.format("%d", "x")
end))
print(pcall(function()
  return ("%d"):format({})
end))
print(pcall(function()
  return ("%d"):format(1.5)
end))
print(pcall(string.format))
print(pcall(string.format, {}))

-- NaN keeps its sign, as glibc prints it (x86 computes 0/0 as a negative NaN)
local nan, pnan = 0 / 0, -(0 / 0)
print(string.format("%+f|%q|%a|%e|%G|%5.1f|%-6f|%06f|% f|%A", pnan, nan, nan, nan, pnan, nan, pnan, nan, pnan, pnan))
