-- rawequal between megabyte strings.
-- @expect budget
local a = string.rep("y", 1 << 20)
local b = string.rep("y", 1 << 20)
local n = 0
for i = 1, 1e6 do if rawequal(a, b) then n = n + 1 end end
return n
