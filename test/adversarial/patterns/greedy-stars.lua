-- Eight greedy items over a long run of the same byte, then a failure.
-- @known event loop held 167 ms (full run, 2 cores, load average under 3)
-- @expect budget
local s = string.rep("a", 3000)
return s:match("a*a*a*a*a*a*a*a*b")
