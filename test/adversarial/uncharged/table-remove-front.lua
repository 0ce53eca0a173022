-- table.remove from the front of a big table: every call shifts it all.
-- @expect budget
local t = {}
for i = 1, 500000 do t[i] = i end
for i = 1, 1e6 do table.remove(t, 1) table.insert(t, 1, i) end
return #t
