-- Megabyte strings used as table keys, each made afresh.
-- @expect budget|memory
local base = string.rep("k", 1 << 20)
local t = {}
for i = 1, 1e6 do t[base .. (i % 8)] = i end
return 1
