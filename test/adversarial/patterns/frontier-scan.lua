-- A frontier and a lazy item over a long subject with no match.
-- @expect ok|budget
local s = string.rep("ab", 200000)
return s:find("%f[%w].-%f[%W]z")
