-- A chain of 1,900 __newindex tables, written a million times.
-- @known event loop held 120 ms (full run, 2 cores, load average under 3)
-- @expect budget
local t = {}
for i = 1, 1900 do t = setmetatable({}, { __newindex = t }) end
for i = 1, 1e6 do t.x = i end
return 1
