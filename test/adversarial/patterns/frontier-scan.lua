-- A frontier and a lazy item over a long subject with no match.
-- @known the event loop held 176 ms (measured at load average ~7 on 2 cores)
-- @expect ok|budget
local s = string.rep("ab", 200000)
return s:find("%f[%w].-%f[%W]z")
