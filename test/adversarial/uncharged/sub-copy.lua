-- string.sub copies of almost all of a long string, a million times.
-- @expect budget
local s = string.rep("x", 1 << 22)
local n = 0
for i = 1, 1e6 do n = n + #s:sub(2, -2) end
return n
