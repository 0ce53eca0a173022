-- A finalizer that loops for ever on objects the script drops.
-- @known finalizers run nested between instructions without a turn for the event loop: held 2.4 s; event loop held 122 ms (full run, 2 cores, load average under 3)
-- @expect ok|budget
for i = 1, 1000 do setmetatable({}, { __gc = function() while true do end end }) end
local t = {}
for i = 1, 100000 do t[i % 100 + 1] = { i } end
return 1
