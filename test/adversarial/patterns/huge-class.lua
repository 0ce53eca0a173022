-- A bracket class of 100,000 items at every position of a 100,000-byte subject (the matcher reads a class once: ok or budget, within bounds).
-- @expect ok|budget
local class = "[" .. string.rep("b", 100000) .. "]"
local s = string.rep("a", 100000)
return s:find(class)
