-- Four lazy items before a byte that never comes: O(n^4) backtracking.
-- @expect budget
local s = string.rep("a", 5000)
return s:find(".-.-.-.-b")
