-- %b() over a million open parentheses: every start scans to the end.
-- @known the event loop held 247 ms (measured at load average ~7 on 2 cores)
-- @expect budget
local s = string.rep("(", 1000000)
return s:find("%b()")
