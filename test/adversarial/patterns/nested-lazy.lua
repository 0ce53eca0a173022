-- Four lazy items before a byte that never comes: O(n^4) backtracking.
-- @known the event loop held 444 ms (measured at load average ~7 on 2 cores)
-- @expect budget
local s = string.rep("a", 5000)
return s:find(".-.-.-.-b")
