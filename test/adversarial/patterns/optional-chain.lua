-- The classic a?^n a^n against a^n.
-- @expect budget
local n = 28
local s = string.rep("a", n)
for i = 1, 1e6 do s:match(string.rep("a?", n) .. string.rep("a", n)) end
return 1
