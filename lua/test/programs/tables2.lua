-- table keys, length, next, constructors (manual §3.4.9, §6.1)
local buffer = {}
local function out(...)
  for _, v in ipairs({ ... }) do
    buffer[#buffer + 1] = tostring(v)
  end
end
local function flush()
  print(table.concat(buffer))
  buffer = {}
end
local t = { 10, 20, 30, x = 1, ["y"] = 2, [3.0] = "three", [-1] = "neg", [1.5] = "frac" }
print(t[1], t[3], t.x, t.y, t[-1], t[1.5], #t)
t[2 ^ 53] = "big"
print(t[2 ^ 53], t[math.tointeger(2 ^ 53)])
local keys = {}
for k in pairs(t) do
  keys[#keys + 1] = tostring(k)
end
table.sort(keys)
print(table.concat(keys, " "))
local n = 0
for k, v in next, t do
  n = n + 1
end
print(n)
local arr = {}
for i = 1, 10 do
  arr[i] = i
end
for i = 1, 10 do
  arr[i] = nil
end
print(#arr, next(arr))
local sparse = { nil, nil, 3 }
print(#sparse, sparse[3])
local trailing = { 1, 2, nil }
print(#trailing)
print(#{ 1, 2, 3, nil, 5 }, #{ n = 1 }, #{})
local nested = { { 1, { 2, { 3 } } } }
print(nested[1][2][2][1])
local mixed = { "a", "b", x = "c", "d" }
print(mixed[3], mixed.x)
local function f()
  return 1, 2, 3
end
local ctor = { f(), f(), x = f() }
print(#ctor, ctor.x)
local big = {}
for i = 1, 1000 do
  big[#big + 1] = i
end
print(#big, big[1000])
local removed = 0
for k, v in pairs(big) do
  big[k] = nil
  removed = removed + 1
end
print(removed, #big, next(big))
local ipa = { 1, 2, nil, 4 }
local cnt = 0
for i, v in ipairs(ipa) do
  cnt = cnt + 1
end
print(cnt)
local proxy = setmetatable({}, {
  __index = function(_, i)
    if i <= 3 then return i * 10 end
  end,
})
for i, v in ipairs(proxy) do
  out(i, "=", v, " ")
end
flush()
print(rawequal(t, t), rawequal(t, {}), rawlen({ 1, 2 }), rawlen("abc"), rawget(t, "x"))
local many = {}
for i = 1, 100 do
  many["k" .. i] = i
end
local sum = 0
for k, v in pairs(many) do
  sum = sum + v
end
print(sum)
local del = { a = 1, b = 2, c = 3 }
for k in pairs(del) do
  del[k] = nil
end
print(next(del))
