-- Values that do not match names.
local a, b = 1 --@ assignment-count
local c = 1, 2 --@ assignment-count
local d, e = 1, tostring(2)
local f, g = table.unpack({ 1, 2 })
local h, i = ...
local j = 1, print("side effect") --@ assignment-count
a, b = 1, 2
a, b = 3 --@ assignment-count
c = 4, 5 --@ assignment-count
local k, l
local m1, m2 = nil
print(a, b, c, d, e, f, g, h, i, j, k, l, m1, m2)
