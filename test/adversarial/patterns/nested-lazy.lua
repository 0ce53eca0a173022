-- Four lazy items before a byte that never comes: O(n^4) backtracking.
-- @known event loop held 137 ms (full run, 2 cores, load average under 3)
-- @expect budget
local s = string.rep("a", 5000)
return s:find(".-.-.-.-b")
