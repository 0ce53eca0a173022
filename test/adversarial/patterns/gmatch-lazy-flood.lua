-- gmatch with a lazy pattern that fails from every position.
-- @expect budget
local s = string.rep("a", 100000)
local n = 0
for m in s:gmatch("a.-b") do n = n + 1 end
return n
