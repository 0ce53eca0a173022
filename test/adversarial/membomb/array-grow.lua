-- One table grown to twenty million slots.
-- @known event loop held 166 ms (full run, 2 cores, load average under 3)
-- @expect memory|budget
local t = {}
for i = 1, 2e7 do t[i] = i end
return #t
