-- A million tables of a hundred slots each.
-- @expect memory
local t = {}
for i = 1, 1e6 do t[i] = table.pack(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20) end
return #t
