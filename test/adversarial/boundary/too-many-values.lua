-- Two million small values (more than a conversion takes).
-- @known the event loop held 60 ms (measured at load average ~7 on 2 cores)
-- @expect output|budget
local t = {}
for i = 1, 2e6 do t[i] = 0 end
return t
