-- Thirty captures of .* each, over a long subject that does not end as asked.
-- @expect budget
local s = string.rep("x", 2000)
return s:match(string.rep("(.*)", 30) .. "y")
