-- An argument of 900,000 values: converted and charged.
-- @known event loop held 895 ms (full run, 2 cores, load average under 3)
-- @expect ok|budget
-- @host size=size
local t = {}
for i = 1, 900000 do t[i] = i end
return size(t)
