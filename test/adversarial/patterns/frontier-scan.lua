-- A frontier and a lazy item over a long subject with no match.
-- @known event loop held 89 ms (full run, 2 cores, load average under 3)
-- @expect ok|budget
local s = string.rep("ab", 200000)
return s:find("%f[%w].-%f[%W]z")
