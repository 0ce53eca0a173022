-- table.sort with a Lua comparator: the same comparisons in the same order as PUC, errors and
-- yields inside the comparator, nesting
local calls, seen = 0, {}
local t = { 5, 3, 8, 1, 9, 2, 7, 4, 6, 10, 15, 11, 14, 12, 13 }
table.sort(t, function(a, b)
  calls = calls + 1
  seen[#seen + 1] = a .. "<" .. b
  return a < b
end)
print(table.concat(t, " "), calls)
print(table.concat(seen, " ", 1, 12))
local words = {}
for i = 1, 300 do
  words[i] = tostring((i * 7919) % 301)
end
table.sort(words, function(a, b)
  return a > b
end)
print(words[1], words[2], words[300])
print(pcall(table.sort, { 3, 2, 1 }, function(a, b)
  error("no order for " .. a)
end))
print(pcall(table.sort, { 1, 2, 3, 4, 5 }, function(a, b)
  return true
end))
print(pcall(table.sort, { 1, "x", 2 }, function(a, b)
  return a < b
end))
local co = coroutine.create(function()
  table.sort({ 2, 1 }, function(a, b)
    coroutine.yield()
    return a < b
  end)
end)
print(coroutine.resume(co))
local nested = { { 3, 1, 2 }, { 9, 7, 8 } }
table.sort(nested, function(a, b)
  table.sort(a)
  table.sort(b, function(x, y)
    return x > y
  end)
  return a[1] < b[1]
end)
print(table.concat(nested[1], ","), table.concat(nested[2], ","))
local depth = 0
local function deep()
  depth = depth + 1
  table.sort({ 1, 2 }, function(a, b)
    deep()
    return a < b
  end)
end
print(pcall(deep), depth > 100)
local big = {}
for i = 1, 2000 do
  big[i] = (i * 37) % 2000
end
local n = 0
table.sort(big, function(a, b)
  n = n + 1
  return a < b
end)
print(big[1], big[2000], n)
