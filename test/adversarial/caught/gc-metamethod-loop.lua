-- A finalizer that loops for ever on objects the script drops.
-- @expect ok|budget
for i = 1, 1000 do setmetatable({}, { __gc = function() while true do end end }) end
local t = {}
for i = 1, 100000 do t[i % 100 + 1] = { i } end
return 1
