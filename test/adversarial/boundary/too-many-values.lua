-- Two million small values (more than a conversion takes).
-- @known event loop held 511 ms (full run, 2 cores, load average under 3)
-- @expect output|budget
local t = {}
for i = 1, 2e6 do t[i] = 0 end
return t
