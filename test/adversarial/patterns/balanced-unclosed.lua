-- %b() over a million open parentheses: every start scans to the end.
-- @expect budget
local s = string.rep("(", 1000000)
return s:find("%b()")
