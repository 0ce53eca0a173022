-- string.dump and load of binary chunks: the bytes of chunks (compared with lua5.3's), round trips,
-- modes, readers, upvalues of a loaded chunk, and lundump's messages for truncated and bad headers.
local function hex(s)
  return (s:gsub(".", function(c)
    return string.format("%02x", c:byte())
  end))
end

local sources = {
  "return 1",
  "local a, b = ... return a + b, 'x' .. b, a // b, a / b",
  "local t = {1, 2.5, 'three', true, nil, -0.0, 1e300, 2^63, math.mininteger, 9007199254740993} return #t",
  "return '" .. string.rep("long", 30) .. "', '" .. string.rep("x", 300) .. "'",
  [[
local up = 10
local function counter(step)
  return function() up = up + step; return up end
end
local c = counter(2)
for i = 1, 3 do c() end
for k, v in pairs({a = 1}) do up = up + v end
return c(), up
]],
  "local s = 0 for i = 10, 1, -1 do if i % 2 == 0 then goto skip end s = s + i ::skip:: end return s",
  "return function(...) local a, b = ... return select('#', ...), {...} end",
}

for i, src in ipairs(sources) do
  local f = assert(load(src, "=src" .. i))
  for _, strip in ipairs({ false, true }) do
    local d = string.dump(f, strip)
    print(i, strip, #d, hex(d))
    local g = assert(load(d, "dumped", "b"))
    print(string.dump(g, strip) == d, select("#", g(7, 2)))
  end
  -- A stripped function dumped again with debug information still has none.
  print(hex(string.dump(load(string.dump(f, true)))))
end

local d = string.dump(load(sources[2], "=two"))
print(load(d)(5, 3))
print(load(d, "name", "bt")(5, 3))
print(load(d, "name", "t"))
print(load("return 1", "name", "b"))
print(load(d, "=literal", "b") ~= nil)

-- Pieces from a reader function.
local pos = 0
local g = load(function()
  pos = pos + 3
  return d:sub(pos - 2, pos)
end)
print(g(1, 1))

-- Truncations: every one is lundump's message, named after the chunk.
for n = 1, #d - 1, 5 do
  local f, err = load(d:sub(1, n))
  assert(f == nil)
  if n % 25 == 1 then print(n, err) end
  assert(select(2, load(d:sub(1, n), "@file.lua")) == "file.lua: truncated precompiled chunk")
  assert(select(2, load(d:sub(1, n), "=name")) == "name: truncated precompiled chunk")
end

-- Header bytes.
local function patch(at, byte)
  return d:sub(1, at - 1) .. string.char(byte) .. d:sub(at + 1)
end
print(load(patch(2, 0x4d)))
print(load(patch(5, 0x52)))
print(load(patch(6, 1)))
print(load(patch(8, 0)))
print(load(patch(13, 8)))
print(load(patch(14, 4)))
print(load(patch(15, 8)))
print(load(patch(16, 4)))
print(load(patch(17, 4)))
print(load(patch(18, 0x79)))
print(load(patch(33, 0x41)))

-- The first upvalue of a loaded chunk is _ENV (the globals, or the env given); others are nil.
local x, y = 1, 2
local function both()
  return x, y
end
local loaded = load(string.dump(both))
print(loaded() == _G, select(2, loaded()))
local env = {}
print(load(string.dump(both), "b", "b", env)() == env)

-- Functions that cannot be dumped.
print(pcall(string.dump, print))
print(pcall(string.dump, coroutine.wrap(function() end)))
print(pcall(string.dump))
print(pcall(string.dump, {}))

-- A stripped function has no lines: runtime errors say ?:-1:, error() adds no position.
print(pcall(load(string.dump(function()
  local x = nil
  return x + 1
end, true))))
print(pcall(load(string.dump(function()
  error("boom")
end, true))))
print(pcall(load(string.dump(function()
  error("boom", 2)
end, true))))

-- load's reader may fail: load returns its error. An explicit nil env is the chunk's _ENV.
-- (Under pcall: lua.c's message handler would otherwise add a traceback to the reader's error.)
print(pcall(load, function()
  error("reader failed")
end))
print(pcall(function()
  local f, e = load(function()
    error({})
  end)
  return f, type(e)
end))
print(pcall(load("return x", "=n", "t", nil)))
print(load(
  string.dump(function()
    return y
  end),
  "=n",
  "b",
  nil
) ~= nil)
print(pcall(load(
  string.dump(function()
    return y
  end),
  "=n",
  "b",
  nil
)))
