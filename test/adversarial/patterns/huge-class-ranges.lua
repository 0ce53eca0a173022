-- A class of 50,000 ranges that never match, in gmatch over a long subject.
-- @expect ok|budget
local class = "[" .. string.rep("b-c", 50000) .. "]"
local n = 0
for _ in string.rep("a", 200000):gmatch(class) do n = n + 1 end
return n
