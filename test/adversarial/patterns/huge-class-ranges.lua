-- A class of 50,000 ranges that never match, in gmatch over a long subject.
-- @known event loop held 154 ms (full run, 2 cores, load average under 3)
-- @expect ok|budget
local class = "[" .. string.rep("b-c", 50000) .. "]"
local n = 0
for _ in string.rep("a", 200000):gmatch(class) do n = n + 1 end
return n
