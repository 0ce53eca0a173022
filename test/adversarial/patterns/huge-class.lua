-- A bracket class of 100,000 items scanned at every position of a 100,000-byte subject.
-- @expect budget
-- @ci
local class = "[" .. string.rep("b", 100000) .. "]"
local s = string.rep("a", 100000)
return s:find(class)
