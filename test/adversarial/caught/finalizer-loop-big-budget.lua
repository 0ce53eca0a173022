-- A finalizer that loops for ever, under a budget of a billion instructions: it runs where the
-- run cannot pause, so it must end before it holds the thread long, not at the time limit.
-- @expect budget
-- @contract {"limits": {"instructions": 1000000000}}
for i = 1, 1000 do setmetatable({}, { __gc = function() while true do end end }) end
local t = {}
for i = 1, 1000000 do t[i % 100 + 1] = { i } end
return 1
