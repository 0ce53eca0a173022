-- The os functions a sandbox offers: time, date, difftime, clock (plus getenv and setlocale).
-- Run with TZ=America/New_York (the test runner sets it, and gives our engine the same zone).

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
local function fields(t)
  local keys = {}
  for k in pairs(t) do
    keys[#keys + 1] = k
  end
  table.sort(keys)
  for i, k in ipairs(keys) do
    keys[i] = k .. "=" .. tostring(t[k])
  end
  return table.concat(keys, " ")
end

-- time and clock without arguments: only their types can be compared
show(math.type(os.time()), math.type(os.clock()), os.time() > 1.5e9, os.clock() >= 0)

-- date in UTC with every conversion
local times = {
  0,
  1e9,
  951782400,
  1234567890,
  1700000000,
  -1,
  -86400 * 366,
  253402300799,
  4102444800,
  1583020800,
  1609459199,
  1609459200,
  1641013200,
}
local conversions = {
  "a",
  "A",
  "b",
  "B",
  "c",
  "C",
  "d",
  "D",
  "e",
  "F",
  "g",
  "G",
  "h",
  "H",
  "I",
  "j",
  "m",
  "M",
  "n",
  "p",
  "r",
  "R",
  "S",
  "t",
  "T",
  "u",
  "U",
  "V",
  "w",
  "W",
  "x",
  "X",
  "y",
  "Y",
  "z",
  "Z",
  "%",
  "Ec",
  "EC",
  "Ex",
  "EX",
  "Ey",
  "EY",
  "Od",
  "Oe",
  "OH",
  "OI",
  "Om",
  "OM",
  "OS",
  "Ou",
  "OU",
  "OV",
  "Ow",
  "OW",
  "Oy",
}
for _, t in ipairs(times) do
  local out = {}
  for _, c in ipairs(conversions) do
    out[#out + 1] = os.date("!%" .. c, t)
  end
  print(t, table.concat(out, "|"))
end
-- ISO weeks around new year
for y = 2014, 2027 do
  local line = {}
  for _, d in ipairs({ -3, -2, -1, 0, 1, 2, 3, 4 }) do
    local t = os.time({ year = y, month = 1, day = 1 + d, hour = 12 })
    line[#line + 1] = os.date("%Y-%m-%d:%G-%V-%u:%U:%W", t)
  end
  print(table.concat(line, " "))
end
show(os.date("!*t", 1e9) ~= nil, fields(os.date("!*t", 1e9)))
show(fields(os.date("!*t", 0)), fields(os.date("!*t", -1)))
show(os.date("!%Y-%m-%d", 2 ^ 40), os.date("!%c", -2 ^ 40), os.date("!%H:%M:%S", 86399))
show(os.date("!literal text, 100%% sure", 0), os.date("!", 0), os.date("", 0), os.date("!%d%%%m", 0))
show(os.date("!*tx", 0), os.date("*t\0x", 0) ~= nil)

-- local time (America/New_York, with daylight saving time)
for _, t in ipairs({ 0, 1e9, 1710054000, 1710053999, 1710057600, 1730613600, 1730617200, 1730620800, 1719792000 }) do
  show(t, os.date("%Y-%m-%d %H:%M:%S %Z %z %p", t), fields(os.date("*t", t)))
end

-- time from a table, normalising the fields
local function norm(t)
  local ok, r = pcall(os.time, t)
  show(ok, r, ok and fields(t) or "")
end
norm({ year = 2020, month = 1, day = 1 })
norm({ year = 2020, month = 1, day = 1, hour = 0 })
norm({ year = 2020, month = 14, day = -3 })
norm({ year = 2021, month = 2, day = 29, hour = 25, min = 61, sec = -1 })
norm({ year = 2000, month = 0, day = 0 })
norm({ year = 1970, month = 1, day = 1, hour = 0 })
norm({ year = 1969, month = 12, day = 31, hour = 18, min = 59, sec = 59 })
norm({ year = 1969, month = 12, day = 31, hour = 19, min = 0, sec = 0 })
norm({ year = 2024, month = 3, day = 10, hour = 2, min = 30 })
norm({ year = 2024, month = 3, day = 10, hour = 3, min = 30 })
norm({ year = 2024, month = 11, day = 3, hour = 1, min = 30 })
norm({ year = 2024, month = 7, day = 1, isdst = false })
norm({ year = 2024, month = 1, day = 1, isdst = true })
norm({ year = 2024, month = 7, day = 1, isdst = true })
norm({ year = "2000", month = "1", day = "1.0", hour = 3.0 })
norm({ year = 1900, month = 1, day = 1 })
norm({ year = 1, month = 1, day = 1 })
norm({ year = 3000, month = 6, day = 15, hour = 12 })
norm({ year = 2020, month = 1, day = 1, wday = 99, yday = 99 })
norm({ year = 2020, month = 1, day = 1.5 })
norm({ year = 2020, month = 1 })
norm({ year = 2020, day = 1 })
norm({ month = 1, day = 1 })
norm({ year = 2020, month = 1, day = 2 ^ 40 })
norm({ year = 2020, month = 1, day = -2 ^ 31 })
norm({ year = 2020, month = 1, day = 1, sec = "x" })
norm({ year = 2020, month = 1, day = 1, min = {} })
norm({ year = 2 ^ 31, month = 1, day = 1 })
local proxy = setmetatable({}, { __index = { year = 2022, month = 5, day = 6 } })
norm(proxy)
err(os.time, "x")
err(os.time, 5)

-- difftime
show(
  os.difftime(10, 5),
  os.difftime(5, 10),
  os.difftime(0, 0),
  os.difftime(math.maxinteger, math.mininteger),
  math.type(os.difftime(1, 1))
)
err(os.difftime, 5)
err(os.difftime, 1.5, 1)
err(os.difftime)

-- date errors
err(os.date, "%Q")
err(os.date, "%Q rest of format")
err(os.date, "%E")
err(os.date, "%Ez")
err(os.date, "%O")
err(os.date, "%Oe%")
err(os.date, "%")
err(os.date, "ok %", 0)
err(os.date, "%k", 0)
err(os.date, "%5d", 0)
err(os.date, "%d", 1.5)
err(os.date, "%d", "x")
err(os.date, "!%Y", 2 ^ 62)
err(os.date, {})
err(function()
  return os.date("%Q")
end)

-- getenv sees no environment here; setlocale knows the C locale
show(os.getenv("SANDLUA_SURELY_UNSET_VARIABLE"))
err(os.getenv)
show(
  os.setlocale(),
  os.setlocale("C"),
  os.setlocale(nil, "numeric"),
  os.setlocale("no_such_locale"),
  os.setlocale("C", "time")
)
err(os.setlocale, "C", "bad")
