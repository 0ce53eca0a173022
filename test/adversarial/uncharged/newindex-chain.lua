-- A chain of 1,900 __newindex tables, written a million times.
-- @expect budget
local t = {}
for i = 1, 1900 do t = setmetatable({}, { __newindex = t }) end
for i = 1, 1e6 do t.x = i end
return 1
