-- Eight greedy items over a long run of the same byte, then a failure.
-- @expect budget
local s = string.rep("a", 3000)
return s:match("a*a*a*a*a*a*a*a*b")
