-- tables, length, next/pairs/ipairs, table library (manual §3.4.7, §6.6)
local t = { 10, 20, 30, x = 1, [1.0 + 1] = "two?", [3] = "three" }
print(#t, t[1], t[2], t[3], t.x, t[2.0])
t[#t + 1] = 40
print(#t, t[4])
local keys = {}
for k in pairs({ a = 1, b = 2, c = 3 }) do
  keys[#keys + 1] = k
end
table.sort(keys)
print(table.concat(keys, ","))
for i, v in ipairs({ 1, 2, nil, 4 }) do
  print("ipairs", i, v)
end
local s = { 5, 2, 8, 1, 9, 3 }
table.sort(s)
print(table.concat(s, " "))
table.sort(s, function(a, b)
  return a > b
end)
print(table.concat(s, " "))
local words = { "pear", "Apple", "fig", "banana" }
table.sort(words)
print(table.concat(words, " "))
table.insert(s, 1, 100)
table.insert(s, 7)
print(table.concat(s, " "), table.remove(s), table.remove(s, 1), table.concat(s, " "))
print(table.unpack({ 1, 2, 3 }))
print(select("#", table.unpack({ 1, nil, 3 }, 1, 3)))
local p = table.pack(1, nil, 3)
print(p.n, p[1], p[2], p[3])
print(table.move({ 1, 2, 3, 4, 5 }, 2, 4, 1)[1], table.concat(table.move({ 1, 2, 3 }, 1, 3, 3, {}), ",", 3, 5))
print(pcall(table.sort, { 3, 1, 2 }, function(a, b)
  return true
end))
print(pcall(table.concat, { 1, {}, 3 }))
print(pcall(table.insert, { 1, 2 }, 5, 0))
print(select(-2, "a", "b", "c"), select(2, "a", "b", "c"))
print(next({}), rawlen({ 1, 2 }), rawequal(t, t), rawget(t, 1), rawset(t, "y", 2).y)
local big = {}
for i = 1, 100 do
  big[i] = i * i
end
print(#big, big[100], table.concat(big, "", 98))
local holes = {}
holes[3] = 3
holes[2] = 2
holes[1] = 1
print(#holes)
local removed = { 1, 2, 3 }
for k in pairs(removed) do
  removed[k] = nil
end
print(next(removed))
print(pcall(next, {}, "missing"))
