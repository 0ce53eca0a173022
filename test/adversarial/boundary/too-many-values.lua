-- Two million small values (more than a conversion takes).
-- @expect output|budget
local t = {}
for i = 1, 2e6 do t[i] = 0 end
return t
