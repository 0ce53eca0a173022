-- A chain of 1,900 __newindex tables, written a million times.
-- @known the event loop held 141 ms (measured at load average ~7 on 2 cores)
-- @expect budget
local t = {}
for i = 1, 1900 do t = setmetatable({}, { __newindex = t }) end
for i = 1, 1e6 do t.x = i end
return 1
