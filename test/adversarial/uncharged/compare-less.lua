-- `<` between megabyte strings that differ in their last byte.
-- @expect budget
local a = string.rep("x", 1 << 20) .. "a"
local b = string.rep("x", 1 << 20) .. "b"
local n = 0
for i = 1, 1e6 do if a < b then n = n + 1 end end
return n
