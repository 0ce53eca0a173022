-- table.concat of one megabyte string repeated 10,000 times.
-- @expect memory
local s = string.rep("x", 1 << 20)
local t = {}
for i = 1, 10000 do t[i] = s end
return #table.concat(t)
