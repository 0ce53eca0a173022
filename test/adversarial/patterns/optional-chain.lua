-- The classic a?^n a^n against a^n.
-- @known the event loop held 3008 ms (measured at load average ~7 on 2 cores)
-- @expect budget
local n = 28
local s = string.rep("a", n)
for i = 1, 1e6 do s:match(string.rep("a?", n) .. string.rep("a", n)) end
return 1
