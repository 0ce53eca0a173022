-- Eight greedy items over a long run of the same byte, then a failure.
-- @known the event loop held 373 ms (measured at load average ~7 on 2 cores)
-- @expect budget
local s = string.rep("a", 3000)
return s:match("a*a*a*a*a*a*a*a*b")
