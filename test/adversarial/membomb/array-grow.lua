-- One table grown to twenty million slots.
-- @expect memory|budget
local t = {}
for i = 1, 2e7 do t[i] = i end
return #t
