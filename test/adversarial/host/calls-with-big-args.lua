-- Host calls with a megabyte argument each, many times.
-- @expect budget|memory
-- @host size=size
local s = string.rep("b", 1 << 20)
local n = 0
for i = 1, 1e5 do n = n + size(s) end
return n
