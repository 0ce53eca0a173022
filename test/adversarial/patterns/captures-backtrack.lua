-- Thirty captures of .* each, over a long subject that does not end as asked.
-- @known the event loop held 220 ms (measured at load average ~7 on 2 cores)
-- @expect budget
local s = string.rep("x", 2000)
return s:match(string.rep("(.*)", 30) .. "y")
