-- table.sort of a big table with a Lua comparator, again and again.
-- @expect budget
local t = {}
for i = 1, 300000 do t[i] = (i * 7919) % 300007 end
for i = 1, 100 do table.sort(t, function(a, b) return a > b end) table.sort(t) end
return t[1]
