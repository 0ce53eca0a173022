-- string.byte of a whole megabyte string: a million results.
-- @expect runtime|budget
local s = string.rep("x", 1 << 20)
return select("#", s:byte(1, -1))
