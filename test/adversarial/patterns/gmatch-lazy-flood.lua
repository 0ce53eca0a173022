-- gmatch with a lazy pattern that fails from every position.
-- @known event loop held 128 ms (full run, 2 cores, load average under 3)
-- @expect budget
local s = string.rep("a", 100000)
local n = 0
for m in s:gmatch("a.-b") do n = n + 1 end
return n
