-- Thirty captures of .* each, over a long subject that does not end as asked.
-- @known event loop held 128 ms (full run, 2 cores, load average under 3)
-- @expect budget
local s = string.rep("x", 2000)
return s:match(string.rep("(.*)", 30) .. "y")
