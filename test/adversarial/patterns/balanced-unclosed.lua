-- %b() over a million open parentheses: every start scans to the end.
-- @known event loop held 229 ms (full run, 2 cores, load average under 3)
-- @expect budget
local s = string.rep("(", 1000000)
return s:find("%b()")
