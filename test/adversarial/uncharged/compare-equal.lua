-- Two equal megabyte strings (not the same object) compared a million times.
-- @expect budget
local a = string.rep("x", 1 << 20)
local b = string.rep("x", 1 << 20)
local n = 0
for i = 1, 1e6 do if a == b then n = n + 1 end end
return n
