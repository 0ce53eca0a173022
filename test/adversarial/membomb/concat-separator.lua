-- table.concat with a megabyte separator.
-- @expect memory
local t = {}
for i = 1, 1000 do t[i] = i end
return #table.concat(t, string.rep(",", 1 << 20))
