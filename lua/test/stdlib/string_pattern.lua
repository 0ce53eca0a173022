-- Lua patterns: string.find, match, gmatch, gsub; classes, sets, quantifiers, anchors, captures,
-- back-references, %b, %f, replacements, limits and PUC's error messages.

local function show(...)
  local t = table.pack(...)
  for i = 1, t.n do
    t[i] = type(t[i]) == "string" and string.format("%q", t[i]) or tostring(t[i])
  end
  print(table.concat(t, " "))
end

-- every character class and its complement, over all 256 bytes
local all = {}
for c = 0, 255 do
  all[#all + 1] = string.char(c)
end
all = table.concat(all)
for _, cl in ipairs({ "a", "c", "d", "g", "l", "p", "s", "u", "w", "x", "z" }) do
  local lower = all:gsub("%" .. cl, "")
  local upper = all:gsub("%" .. cl:upper(), "")
  local bytes = {}
  for c in all:gmatch("%" .. cl) do
    bytes[#bytes + 1] = c:byte()
  end
  print(cl, #lower, #upper, table.concat(bytes, ","))
end
show(("x.y%z"):find("%."), ("a+b"):find("%+"), ("%"):find("%%"), ("q"):find("%q"), ("a]"):find("%]"))

-- sets
for _, p in ipairs({
  "[abc]",
  "[^abc]",
  "[a-c]",
  "[%a_]",
  "[%d%s]",
  "[^%w]",
  "[]]",
  "[^]]",
  "[a-]",
  "[-a]",
  "[%-a]",
  "[a%-z]",
  "[%]]",
  "[^%]]",
  "[.]",
  "[%.]",
  "[^]",
  "[a-c-e]",
  "[\0-\31]",
  "[%z]",
  "[]-a]",
}) do
  local ok, r = pcall(string.gsub, "abc-xyz ]^.123_\0\31", p, "#")
  show(p, ok, r)
end

-- quantifiers, anchors, special characters
local subject = "aaa bbb ab aab abb ccc"
for _, p in ipairs({
  "a*",
  "a+",
  "a-",
  "a?",
  "a-b",
  "a*b",
  "a+b",
  "a?b",
  "^a+",
  "^b",
  "c+$",
  "b$",
  ".-",
  ".*",
  ".+b",
  "a.b",
  "$",
  "^",
  "^$",
  "x*",
  "%s+",
  "%S+",
  "[ab]+",
  "[^ ]+",
  "a$b",
  "^^",
  "$$",
  "a%$",
}) do
  local r = {}
  for m in subject:gmatch(p) do
    r[#r + 1] = "<" .. m .. ">"
    if #r > 30 then break end
  end
  show(p, subject:find(p), subject:match(p), table.concat(r), (subject:gsub(p, "|")))
end
show(("a$b"):find("a$b"), ("^a"):find("^^a"), ("^a"):match(".^a"), ("x^"):gmatch("^")())

-- captures and position captures
show(string.match("hello world", "(h)(e)(l)(l)(o)"))
show(string.match("hello world", "()ll()"))
show(string.find("hello world", "(o)(r?)"))
show(string.match("key = value", "^(%w+)%s*=%s*(%w+)$"))
show(string.match("  trim me  ", "^%s*(.-)%s*$"))
show(string.match("2024-01-15", "(%d+)-(%d+)-(%d+)"))
show(string.match("abc", "((a)(b))"))
show(string.match("abc", "()"), string.match("abc", "()", 4), string.match("abc", "()", 5))
show(
  string.find("abc", "()", 10),
  string.find("abc", "c", -1),
  string.find("abc", "a", -10),
  string.find("", ""),
  string.find("", "", 2)
)
show(string.find("abc", "", 4), string.find("abc", "", 5), string.find("abc", "$"), string.find("abc", "^", 2))
show(string.match("x = 1, y = 2", "(%w+) = (%w+)", 5))

-- back-references
show(string.match("hello \"world\" and 'more'", "([\"'])(.-)%1"))
show(string.find("abcabc", "(abc)%1"), string.find("aXbXc", "(X).-%1"), string.match("aa bb cd", "(%a)%1"))
show(string.gsub("hello hello world world", "(%w+) %1", "%1"))

-- %b and %f
show(
  string.match("f(a(b)c) d", "%b()"),
  string.find("if [x[y]] then", "%b[]"),
  string.match("(((", "%b()"),
  string.match("x)y(", "%b)(")
)
show(string.gsub("THE (quick) fox", "%f[%a]%a+", "W"))
show(string.gsub("hello world from Lua", "%f[%w]%w+", function(w)
  return w:upper()
end))
show(
  string.find("THE (quick) fox", "%f[%l]"),
  string.find("abc", "%f[%z]"),
  string.find("a\0b", "%f[%z]"),
  string.find("abc", "%f[^%z]")
)
show(string.gsub("one two  three", "%f[%s]", "|"), string.gsub("abc", "%f[%w]", "^"), string.gsub("abc", "%f[%W]", "$"))
show(string.match("aaa", "%bab"), string.match("abba", "%bab"), string.match("xaxbx", "%bxx"))

-- gmatch
for k, v in string.gmatch("a=1, b=2, c=3", "(%w+)=(%w+)") do
  show(k, v)
end
for w in string.gmatch("one two three", "%a+") do
  show(w)
end
for p in string.gmatch("abc", "()") do
  show(p)
end
for a, b in string.gmatch("abcd", "()(.)") do
  show(a, b)
end
local n = 0
for m in string.gmatch("", ".*") do
  n = n + 1
  show("empty", m)
end
for m in string.gmatch("abc", "x*") do
  n = n + 1
  show("x*", m)
end
for m in string.gmatch("^a^a", "^a") do
  show("anchor is literal in gmatch", m)
end
show(n)
local it = string.gmatch("a1b2", "%a(%d)")
show(it(), it(), it(), it())

-- gsub with strings, tables, functions, and the max-n argument
show(string.gsub("hello world", "o", "0"))
show(string.gsub("hello world", "o", "0", 1))
show(string.gsub("hello world", "o", "0", 0))
show(string.gsub("hello world", "o", "0", -1))
show(string.gsub("hello world", "o", "0", 1.0))
show(string.gsub("hello world", "(o)", "[%1%1]"))
show(string.gsub("hello world", "l+", "<%0>"))
show(string.gsub("abc", "", "-"))
show(string.gsub("abc", ".-", "-"))
show(string.gsub("abc", "b*", "-"))
show(
  string.gsub("abc", "^", ">"),
  string.gsub("abc", "$", "<"),
  string.gsub("abc", "^.", "X"),
  string.gsub("aaa", "^a", "b")
)
show(string.gsub("100%", "%%", " percent"), string.gsub("x", "x", "%%"), string.gsub("x", "x", "100%%"))
show(string.gsub("hello", "()l", "%1"))
show(string.gsub("$name is $age", "%$(%w+)", { name = "Ann", age = 42 }))
show(string.gsub("$name is $unknown", "%$(%w+)", { name = "Ann" }))
show(string.gsub("a b c", "%w", { a = false, b = 1.5, c = 2 }))
show(string.gsub(
  "abc",
  "%w",
  setmetatable({}, {
    __index = function(_, k)
      return k:upper() .. k
    end,
  })
))
show(string.gsub("hello world", "%w+", string.upper))
show(string.gsub("hello world", "%w+", function(w)
  if w == "hello" then return nil end
  return #w
end))
show(string.gsub("a,b,c", "([^,]+)", function(s)
  return s .. s
end, 2))
show(string.gsub("abc", "(a)(b)(c)", function(...)
  return select("#", ...) .. table.concat({ ... })
end))
show(string.gsub("abc", "()b()", function(p, q)
  return p .. ":" .. q
end))
show(string.gsub(12345, 3, "x"), string.gsub("a1", "%d", 7), string.gsub("a1", "%d", 7.5))
show(string.gsub("abc", "b", "%0%0%0"))
show(string.gsub("hello world", "(%w+) (%w+)", "%2 %1"))

-- find with plain, init, and patterns with no specials
show(string.find("a.b.c", ".", 1, true), string.find("a.b.c", ".", 3, true), string.find("a+b", "+", 1, true))
show(
  string.find("a(b", "(", 1, true),
  string.find("abc", "bc", 1, true),
  string.find("abc", "x", 1, true),
  string.find("abc", "", 10, true)
)
show(
  string.find("hello", "l"),
  string.find("hello", "l", 4),
  string.find("hello", "l", -1),
  string.find("hello", "lo", -2)
)
show(
  string.find("a\0b\0c", "\0"),
  string.find("a\0b", "b", 1, false),
  string.find("a\0b", "%z"),
  string.match("a\0b\0c", "[%z]+")
)
show(
  string.find("x", "x", 2),
  string.find("x", "x", 1, nil),
  string.find("x", ".", math.maxinteger),
  string.find("x", ".", math.mininteger)
)

-- errors
local function err(f, ...)
  local ok, m = pcall(f, ...)
  show(ok, m)
end
err(string.find, "a", "%")
err(string.find, "a", "(")
err(string.find, "a", ")")
err(string.find, "a", "[a")
err(string.find, "a", "[^a")
err(string.find, "a", "[a%")
err(string.find, "a", "[")
err(string.find, "a", "[]")
err(string.find, "a", "%b")
err(string.find, "a", "%ba")
err(string.find, "a", "%f")
err(string.find, "a", "%fa")
err(string.find, "a", "%1")
err(string.find, "a", "(a%1)")
err(string.find, "a", "(a)%2")
err(string.find, "a", "%0")
err(string.match, "a", "(()")
err(string.gsub, "abc", "(a)", "%2")
err(string.gsub, "abc", "a", "%2")
err(string.gsub, "abc", "a", "%x")
err(string.gsub, "abc", "a", "%")
err(string.gsub, "abc", "(a", "%1")
err(string.gsub, "abc", "a")
err(string.gsub, "abc", "a", true)
err(string.gsub, "abc", "a", nil, "x")
err(string.gsub, "abc", "%w", { a = {} })
err(string.gsub, "abc", "%w", function()
  return true
end)
err(string.gsub, "abc", "%w", function()
  error("inner")
end)
show(type(select(
  2,
  pcall(string.gsub, "abc", "%w", function()
    error({})
  end)
)))
err(string.gmatch, "abc")
err(string.match)
err(string.find, "a", "a", "x")
err(string.match, string.rep("x", 40), string.rep("(x)", 33))
err(string.match, string.rep("x", 40), string.rep("(x)", 32))
err(string.match, string.rep("a", 300), string.rep("a?", 300))
err(string.match, string.rep("a", 198), string.rep("a?", 198))
err(string.match, string.rep("a", 250), string.rep("(", 100) .. "a" .. string.rep(")", 100))
err(string.match, string.rep("a", 250), string.rep("a-", 300) .. "b")
err(function()
  return ("x"):find("%")
end)
err(function()
  for _ in ("x"):gmatch("[") do
  end
end)
err(function()
  return ("abc"):gsub("%w", "%9")
end)

-- gsub's result built from pieces short and long, of every byte value, with each kind of replacement.
do
  local s = ""
  for i = 0, 255 do
    s = s .. string.char(i)
  end
  s = s:rep(3) .. "\xff\x80abc" .. ("\xe9"):rep(40)
  local r1, n1 = s:gsub("b", function(x)
    return "\xfe" .. x:rep(20) .. "\x81"
  end)
  local r2, n2 = s:gsub("%a", "%0\xc3")
  local r3, n3 = s:gsub("[\x80-\xff]+", { ["\xe9\xe9"] = "no" })
  local h = 0
  for _, r in ipairs({ r1, r2, r3 }) do
    for i = 1, #r do
      h = (h * 31 + r:byte(i)) % 1000000007
    end
  end
  print(#r1, n1, #r2, n2, #r3, n3, h)
end

-- Every single-character item against every byte value: alone, repeated (greedy and lazy), in
-- sets short and long, and the same item met again by a later match of another pattern.
do
  local bytes = {}
  for i = 0, 255 do
    bytes[#bytes + 1] = string.char(i)
  end
  local all = table.concat(bytes)
  local long = "[" .. ("%d"):rep(9) .. "xyz\x90-\xa0_%s]"
  local items = { ".", "a", "\xc8", "%%", "%.", "%q", "%]", "%z", "%Z", long, "[^" .. long:sub(2) }
  for _, class in ipairs({ "a", "c", "d", "g", "l", "p", "s", "u", "w", "x" }) do
    items[#items + 1] = "%" .. class
    items[#items + 1] = "%" .. class:upper()
  end
  for _, set in ipairs({
    "[%a_]",
    "[^%s,]",
    "[a-f0-9]",
    "[]]",
    "[^]]",
    "[%]]",
    "[\x80-\xff]",
    "[^\0-\x7f]",
    "[-a]",
    "[a-]",
    "[%w%-]",
  }) do
    items[#items + 1] = set
  end
  for k, item in ipairs(items) do
    local h, n = 0, 0
    for i = 1, 3 do
      local one = select(2, all:gsub(item, ""))
      local runs = select(2, all:gsub(item .. "+", "#"))
      local first, last = all:find(item .. "*" .. item .. "-\xff")
      local matched = all:match("(" .. item .. "?)()")
      n = one + runs
      h = (h * 31 + one * 7 + runs + (first or 0) * 3 + (last or 0) + #matched) % 1000000007
    end
    print(k, n, h)
  end
end
