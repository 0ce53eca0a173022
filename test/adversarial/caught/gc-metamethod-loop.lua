-- A finalizer that loops for ever on objects the script drops.
-- @known event loop held 45-50 ms in three full runs (2 cores, load average 1-2): passes, within 5 ms of the bound
-- @expect ok|budget
for i = 1, 1000 do setmetatable({}, { __gc = function() while true do end end }) end
local t = {}
for i = 1, 100000 do t[i % 100 + 1] = { i } end
return 1
