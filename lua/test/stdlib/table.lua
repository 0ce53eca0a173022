-- The table library: insert, remove, concat, pack, unpack, move, sort; metamethods through
-- lua_geti/lua_seti/__len; PUC's errors.

local function show(...)
  local t = table.pack(...)
  for i = 1, t.n do
    t[i] = type(t[i]) == "string" and string.format("%q", t[i]) or tostring(t[i])
  end
  print(table.concat(t, " "))
end
local function list(t, n)
  local out = {}
  for i = 1, n or #t do
    out[i] = tostring(t[i])
  end
  return "{" .. table.concat(out, ",") .. "}"
end
local function err(f, ...)
  local ok, m = pcall(f, ...)
  show(ok, m)
end

-- insert
local t = {}
table.insert(t, "a")
table.insert(t, "b")
table.insert(t, 1, "c")
table.insert(t, 2, "d")
table.insert(t, #t + 1, "e")
show(list(t))
table.insert(t, 3, nil)
show(list(t, 6))
err(table.insert, { 1, 2 }, 5, "x")
err(table.insert, { 1, 2 }, 0, "x")
err(table.insert, { 1, 2 }, -1, "x")
err(table.insert, { 1, 2 }, 1.5, "x")
err(table.insert, { 1, 2 }, "x", "y")
err(table.insert, { 1, 2 })
err(table.insert, { 1, 2 }, 1, 2, 3)
err(table.insert, nil, 1)
err(table.insert, "abc", 1)
err(function()
  table.insert({}, 3, 1)
end)
err(function()
  local x = {}
  x:insert(1)
end)
local n = { n = 0 }
table.insert(n, "1")
show(n[1], #n)

-- remove
t = { "a", "b", "c", "d" }
show(table.remove(t), list(t))
show(table.remove(t, 1), list(t))
show(table.remove(t, #t + 1), list(t))
show(table.remove({}), table.remove({}, 0), table.remove({}, 1))
t = { [0] = "zero" }
show(table.remove(t, 0), t[0])
t = { "x" }
show(table.remove(t, 1), #t)
err(table.remove, { 1, 2, 3 }, 5)
err(table.remove, { 1, 2, 3 }, -1)
err(table.remove, {}, -1)
err(table.remove, { 1 }, 3)
err(table.remove)

-- insert's and remove's shifts on a plain table leave what the same shifts through a metatable
-- leave (holes inside, keys past the end in the hash, the last position, long arrays)
local function same(a, b, upto)
  for i = -1, upto do
    if rawget(a, i) ~= rawget(b, i) then return "differ at " .. i end
  end
  return #a == #b and "same" or "lengths differ"
end
for _, size in ipairs({ 1, 2, 7, 300 }) do
  local plain, proxied = {}, setmetatable({}, {})
  for i = 1, size do
    if i % 5 ~= 3 or i == size then
      plain[i], proxied[i] = "v" .. i, "v" .. i
    end
  end
  plain[size + 2], proxied[size + 2] = "past", "past"
  local results = {}
  local steps = { { 1, "x" }, { size + 1, "y" }, { 2, "z" }, { -1 }, { 1 }, { -2 }, { -1 } }
  for _, step in ipairs(steps) do
    local pos = step[1]
    if step[2] then
      if pos <= #plain + 1 then
        table.insert(plain, pos, step[2])
        table.insert(proxied, pos, step[2])
      end
    else
      pos = pos < 0 and #plain + pos + 1 or pos
      if pos >= 1 and pos <= #plain then
        results[#results + 1] = tostring(table.remove(plain, pos) == table.remove(proxied, pos))
      end
    end
    results[#results + 1] = same(plain, proxied, size + 6)
  end
  show(size, table.concat(results, " "))
end
for _, layout in ipairs({
  function()
    return { 1, 2, nil, 4 }
  end,
  function()
    return { 1, nil, nil, 4, 5 }
  end,
  function()
    return { nil, nil, 3 }
  end,
}) do
  local plain, proxied = layout(), setmetatable(layout(), {})
  local pos = #plain
  show(table.remove(plain, pos) == table.remove(proxied, pos), same(plain, proxied, 6))
end
local q = {}
for i = 1, 100000 do
  q[i] = i
end
table.insert(q, 1, 0)
table.insert(q, 50000, "mid")
show(table.remove(q, 1), table.remove(q, 1), q[49998], q[49999], q[50000], #q, table.remove(q), #q)
while #q > 99990 do
  table.remove(q, 3)
end
show(q[1], q[2], q[3], #q)

-- concat
show(
  table.concat({}),
  table.concat({ 1, 2, 3 }),
  table.concat({ 1, 2, 3 }, ", "),
  table.concat({ "a", "b", "c" }, "-", 2)
)
show(
  table.concat({ "a", "b", "c" }, "-", 2, 3),
  table.concat({ "a", "b", "c" }, "-", 3, 2),
  table.concat({ 1.5, 2, -0.0 }, " ")
)
show(
  table.concat({ [0] = "z", "a" }, "", 0, 1),
  table.concat({ "a", "b" }, 3),
  table.concat({ math.maxinteger, math.mininteger, 1e100 }, ";")
)
err(table.concat, { 1, {}, 3 })
err(table.concat, { 1, 2, 3 }, ",", 1, 4)
err(table.concat, { true })
err(table.concat, { 1, 2 }, {})
err(table.concat, "abc")
err(table.concat, {}, "", 1, 2 ^ 53)
-- Long ones (joined a few hundred parts at a time): every part in place, around each boundary.
for _, n in ipairs({ 511, 512, 513, 1025, 262145 }) do
  local parts = {}
  for i = 1, n do
    parts[i] = (i % 7 == 0) and "" or tostring(i)
  end
  for _, sep in ipairs({ "", "<>" }) do
    local s = table.concat(parts, sep)
    local at = 1
    local ok = true
    for i = 1, n do
      local p = parts[i]
      if s:sub(at, at + #p - 1) ~= p then ok = false end
      at = at + #p
      if i < n then
        if s:sub(at, at + #sep - 1) ~= sep then ok = false end
        at = at + #sep
      end
    end
    print(n, #sep, #s, ok and at == #s + 1, s:sub(1, 12), s:sub(-12))
  end
end
err(function()
  return table.concat({ print })
end)

-- pack and unpack
local p = table.pack()
show(p.n, #p)
p = table.pack(1, nil, 3, nil)
show(p.n, p[1], p[2], p[3], p[4])
show(table.unpack({ 1, 2, 3 }))
show(table.unpack({ 1, 2, 3 }, 2))
show(table.unpack({ 1, 2, 3 }, 2, 3))
show(table.unpack({ 1, 2, 3 }, 3, 2))
show(table.unpack({ 1, 2, 3 }, -1, 1))
show(table.unpack({}, 1, 3))
show(table.unpack({ n = 2, "a" }, 1, 2))
show(select("#", table.unpack({}, 1, 0)), select("#", table.unpack({}, math.maxinteger, math.maxinteger)))
show(table.unpack({ [math.mininteger] = "min" }, math.mininteger, math.mininteger))
err(table.unpack, {}, 1, 1e7)
err(table.unpack, {}, math.mininteger, math.maxinteger)
err(table.unpack, {}, 1, 2 ^ 40)
err(table.unpack)
err(table.unpack, {}, "a")
show(table.unpack("abc"))
show(table.unpack(setmetatable({}, {
  __index = function(_, k)
    return k * 10
  end,
  __len = function()
    return 3
  end,
})))

-- move
t = { 1, 2, 3, 4, 5 }
show(list(table.move(t, 2, 4, 1)))
t = { 1, 2, 3, 4, 5 }
show(list(table.move(t, 1, 3, 3)))
t = { 1, 2, 3, 4, 5 }
show(list(table.move(t, 1, 5, 2), 6))
show(
  list(table.move({ 1, 2, 3 }, 1, 3, 1, {})),
  list(table.move({ 1, 2, 3 }, 1, 0, 1, { "x" })),
  list(table.move({ 1, 2, 3 }, 2, 3, 5, {}))
)
local dst = { "a", "b", "c" }
show(table.move({ 1, 2 }, 1, 2, 2, dst) == dst, list(dst))
err(table.move, {}, 1, math.maxinteger, 2)
err(table.move, {}, -1, math.maxinteger, 1)
err(table.move, {}, 1, 2, math.maxinteger)
err(table.move, {}, 1, 2)
err(table.move, {}, 1, 2, 3, "x")
err(table.move, 1, 1, 2, 3)
show(table.move({}, math.mininteger, math.mininteger + 1, 1)[1])

-- sort
t = { 5, 2, 8, 1, 9, 3, 7, 4, 6, 0 }
table.sort(t)
show(list(t))
table.sort(t, function(a, b)
  return a > b
end)
show(list(t))
t = { "banana", "apple", "Cherry", "date", "10", "9" }
table.sort(t)
show(list(t))
t = { 3.5, -1, 2, math.huge, -math.huge, 0, 2 ^ 53, math.mininteger }
table.sort(t)
show(list(t))
t = {}
for i = 1, 200 do
  t[i] = (i * 7919) % 211
end
table.sort(t)
local ok = true
for i = 2, #t do
  if t[i - 1] > t[i] then ok = false end
end
show("sorted 200", ok)
t = {}
for i = 1, 1000 do
  t[i] = 1000 - i
end
table.sort(t)
show(t[1], t[500], t[1000])
t = {}
for i = 1, 300 do
  t[i] = i % 3
end
table.sort(t, function(a, b)
  return a > b
end)
show(t[1], t[100], t[101], t[300])
-- the order of comparisons is PUC's
local log = {}
t = { 4, 1, 3, 2, 5, 9, 7, 8, 6 }
table.sort(t, function(a, b)
  log[#log + 1] = a .. "<" .. b
  return a < b
end)
show(list(t), #log, table.concat(log, " "))
-- stable results with records
local recs = {}
for i = 1, 20 do
  recs[i] = { key = (i * 13) % 7, id = i }
end
table.sort(recs, function(a, b)
  if a.key ~= b.key then return a.key < b.key end
  return a.id < b.id
end)
local ids = {}
for i, r in ipairs(recs) do
  ids[i] = r.key .. ":" .. r.id
end
show(table.concat(ids, " "))
-- errors
err(table.sort, { 1, "x", 2 })
err(table.sort, { {}, {} })
err(table.sort, { 1, 2, 3 }, 1)
err(table.sort, { 3, 2, 1 }, function(a, b)
  error("cmp failed")
end)
err(table.sort, { 1, 2, 3, 4, 5 }, function(a, b)
  return true
end)
t = {}
for i = 1, 100 do
  t[i] = i
end
err(table.sort, t, function(a, b)
  return true
end)
t = {}
for i = 1, 100 do
  t[i] = 101 - i
end
err(table.sort, t, function(a, b)
  return a <= b
end)
show(
  pcall(table.sort, { 1 }, function()
    return true
  end),
  pcall(table.sort, {})
)
t = { 5, 3, 1 }
err(table.sort, t, function(a, b)
  return a .. b
end)
show(list(t))
err(
  table.sort,
  setmetatable({}, {
    __len = function()
      return 2 ^ 31
    end,
  })
)
err(
  table.sort,
  setmetatable({}, {
    __len = function()
      return 1.5
    end,
  })
)
err(
  table.sort,
  setmetatable({}, {
    __len = function()
      return "x"
    end,
  })
)
err(function()
  table.sort(nil)
end)

-- proxies: __index, __newindex, __len (lua_geti, lua_seti)
local store = { 30, 10, 20 }
local proxy = setmetatable({}, {
  __index = function(_, k)
    return store[k]
  end,
  __newindex = function(_, k, v)
    store[k] = v
  end,
  __len = function()
    return #store
  end,
})
table.sort(proxy)
show(list(store))
table.insert(proxy, 40)
table.insert(proxy, 1, 5)
show(list(store))
show(table.remove(proxy, 2), list(store))
show(table.concat(proxy, ","), table.unpack(proxy))
table.move(proxy, 1, 2, 3)
show(list(store))
local udlike = setmetatable({}, {
  __index = store,
  __len = function()
    return 2
  end,
})
show(table.concat(udlike, "+"))
-- a table with __index only (reads) and __newindex only (writes)
local reads = setmetatable({}, {
  __index = function(_, i)
    return i * i
  end,
})
show(table.concat(reads, " ", 1, 5), table.unpack(reads, 1, 3))
local writes = {}
local sink = setmetatable({}, {
  __newindex = function(_, k, v)
    rawset(writes, k, v)
  end,
})
table.move({ 1, 2, 3 }, 1, 3, 1, sink)
show(list(writes), rawget(sink, 1))
