-- Arithmetic on a megabyte numeral string (the VM's coercion, not tonumber).
-- @expect budget
local s = string.rep("1", 1 << 20)
local n = 0
for i = 1, 1e6 do n = s + 0 end
return n
