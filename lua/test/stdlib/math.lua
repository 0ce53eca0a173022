-- The math library: subtypes, rounding, fmod/modf, min/max, integer limits, random with seeds.

local function show(...)
  local t = table.pack(...)
  for i = 1, t.n do
    local v = t[i]
    t[i] = type(v) == "number" and (math.type(v) .. ":" .. tostring(v))
      or type(v) == "string" and string.format("%q", v)
      or tostring(v)
  end
  print(table.concat(t, " "))
end
local function err(f, ...)
  local ok, m = pcall(f, ...)
  show(ok, m)
end

show(math.pi, math.huge, -math.huge, math.maxinteger, math.mininteger, math.maxinteger + 1 == math.mininteger)

-- type, tointeger, ult
show(
  math.type(1),
  math.type(1.0),
  math.type(-0.0),
  math.type("1"),
  math.type(nil),
  math.type({}),
  math.type(2 ^ 63),
  math.type(1 // 1)
)
err(math.type)
show(
  math.tointeger(3),
  math.tointeger(3.0),
  math.tointeger(3.5),
  math.tointeger("8"),
  math.tointeger("8.0"),
  math.tointeger("x")
)
show(
  math.tointeger(2 ^ 53),
  math.tointeger(2 ^ 63),
  math.tointeger(-2 ^ 63),
  math.tointeger(-0.0),
  math.tointeger(1 / 0),
  math.tointeger({})
)
err(math.tointeger)
show(math.ult(1, 2), math.ult(-1, 2), math.ult(2, -1), math.ult(math.maxinteger, math.mininteger), math.ult(0, 0))
err(math.ult, 1.5, 2)
err(math.ult, 1)

-- floor, ceil
for _, v in ipairs({
  3.7,
  -3.7,
  3.0,
  -0.0,
  0.5,
  -0.5,
  2 ^ 53 + 0.0,
  2 ^ 62,
  2 ^ 63,
  -2 ^ 63,
  -2 ^ 64,
  1e100,
  1 / 0,
  -1 / 0,
  5,
  -5,
  math.maxinteger,
  math.mininteger,
  "3.5",
  "-2",
  "0x10",
}) do
  show(v, math.floor(v), math.ceil(v))
end
err(math.floor, "x")
err(math.ceil)

-- abs
show(
  math.abs(-5),
  math.abs(5),
  math.abs(-5.5),
  math.abs(-0.0),
  math.abs(math.mininteger),
  math.abs(-math.maxinteger),
  math.abs("-3"),
  math.abs(-1 / 0)
)
err(math.abs, {})

-- fmod and modf
for _, p in ipairs({
  { 7, 3 },
  { -7, 3 },
  { 7, -3 },
  { -7, -3 },
  { 7, -1 },
  { math.mininteger, -1 },
  { math.mininteger, 2 },
  { 7.5, 2 },
  { -7.5, 2 },
  { 7, 2.5 },
  { 1, 1 / 0 },
  { -1, 1 / 0 },
  { 5.0, 3 },
  { "7", 3 },
  { 7, "3" },
  { 0, 5 },
  { -0.0, 1 },
  { math.maxinteger, 10 },
}) do
  show(p[1], p[2], math.fmod(p[1], p[2]))
end
err(math.fmod, 1, 0)
err(math.fmod, 1)
err(math.fmod, "x", 1)
show(math.fmod(1, 0.0) ~= math.fmod(1, 0.0), math.fmod(1 / 0, 1) ~= math.fmod(1 / 0, 1))
for _, v in ipairs({ 3.5, -3.5, 3.0, -0.0, 0.25, 1e100, -1e100, 2 ^ 63, 1 / 0, -1 / 0, 7, -7, math.mininteger, "2.5" }) do
  show(v, math.modf(v))
end
local m1, m2 = math.modf(0 / 0)
show(m1 ~= m1, m2 ~= m2)

-- min, max
show(
  math.max(1, 2, 3),
  math.max(3, 2, 1),
  math.max(1.0, 1),
  math.max(1, 1.0),
  math.max(2, 2.5),
  math.max(-0.0, 0),
  math.max(0, -0.0)
)
show(
  math.min(1, 2, 3),
  math.min(3.0, 3),
  math.min(3, 3.0),
  math.min(-1, -1.5),
  math.min(math.mininteger, -2 ^ 63),
  math.min(5)
)
show(
  math.max("a", "b"),
  math.min("b", "a", "c"),
  math.max(math.maxinteger, 2 ^ 63),
  math.max(math.maxinteger, 2 ^ 63 - 1024)
)
err(math.max)
err(math.min)
err(math.max, 1, "x")
err(math.min, {}, {})

-- elementary functions
show(math.sqrt(16), math.sqrt(2), math.sqrt(-0.0), math.sqrt(1 / 0), math.sqrt(0))
show(
  math.sin(0),
  math.cos(0),
  math.tan(0),
  math.asin(1),
  math.acos(1),
  math.atan(1),
  math.atan(1, 2),
  math.atan(-1, -1),
  math.atan(0, -1)
)
show(
  math.exp(0),
  math.exp(1),
  math.log(1),
  math.log(8, 2),
  math.log(100, 10),
  math.log(1000, 10),
  math.log(27, 3),
  math.log(2, 4)
)
show(math.log(0), math.log(-1) ~= math.log(-1), math.exp(710), math.exp(-1000), math.log(1024, 2.0), math.log(0.5, 2))
show(math.deg(math.pi), math.rad(180), math.deg(1), math.rad(1), math.sin(math.pi / 6), math.cos(math.pi / 3))
show(math.sqrt("4"), math.sin("0"), math.floor(2 ^ 31 + 0.5), math.ceil(-2 ^ 31 - 0.5))
err(math.sqrt)
err(math.log, "x")
err(math.log, 1, "x")
err(function()
  return math.atan()
end) -- (through pcall, PUC names it atan or atan2 at random)
err(math.exp, {})

-- 5.2 compatibility functions of the standard 5.3 build
show(
  math.pow(2, 10),
  math.pow(2, 0.5),
  math.pow(1, 0 / 0),
  math.log10(1000),
  math.atan2(1, 1),
  math.cosh(0),
  math.sinh(0),
  math.tanh(0)
)
show(math.frexp(8), math.frexp(0.3), math.frexp(-5), math.frexp(0), math.frexp(5e-324), math.frexp(1e308))
show(
  math.ldexp(1, 10),
  math.ldexp(0.5, 3),
  math.ldexp(1, -1074),
  math.ldexp(1, -1075),
  math.ldexp(3, -1075),
  math.ldexp(1, 1024),
  math.ldexp(1.5, -1073)
)
show(math.ldexp(0x1.fffffffffffffp0, 1023), math.ldexp(1, 2 ^ 40), math.ldexp(5, 0))
err(math.ldexp, 1, 1.5)

-- random: lua5.3 on Linux uses the C library's random(); seeds give the same sequences
show(math.random(100), math.random(100), math.random(), math.random(5, 10))
math.randomseed(42)
show(math.random(1000), math.random(1000), math.random(), math.random(-10, 10))
math.randomseed(42)
show(math.random(1000))
for _, seed in ipairs({ 0, 1, 2, 12345, -1, 2 ^ 31, 2 ^ 32 + 5, 1.9, -1.9, 2 ^ 53, 1e300, "7" }) do
  math.randomseed(seed)
  show(seed, math.random(1000000), math.random(1000000))
end
math.randomseed(7)
show(math.random(math.maxinteger), math.random(math.mininteger, -1), math.random(0, math.maxinteger))
show(
  math.random(3, 3),
  math.random(-3, -3),
  math.random(math.maxinteger, math.maxinteger),
  math.random(math.mininteger, math.mininteger)
)
local counts = { 0, 0, 0 }
for _ = 1, 3000 do
  local r = math.random(3)
  counts[r] = counts[r] + 1
end
show(counts[1], counts[2], counts[3])
local lo, hi = 1, 0
for _ = 1, 1000 do
  local r = math.random()
  if r < lo then lo = r end
  if r > hi then hi = r end
end
show(lo >= 0, hi < 1)
err(math.random, 2, 1)
err(math.random, 0)
err(math.random, math.mininteger, 0)
err(math.random, 1, 2, 3)
err(math.random, 1.5)
err(math.random, "x")
err(math.randomseed)
err(math.randomseed, "x")
