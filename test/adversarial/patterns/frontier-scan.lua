-- A frontier and a lazy item over a long subject with no match.
-- @known event loop held 28-93 ms (was 89 ms; 3 runs of the case alone, 2 cores, load average 3.6-4.4: 93 ms once, in its first slices, before the matcher is optimised)
-- @expect ok|budget
local s = string.rep("ab", 200000)
return s:find("%f[%w].-%f[%W]z")
