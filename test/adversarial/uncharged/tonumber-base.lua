-- tonumber of a megabyte numeral in base 36.
-- @expect budget
local s = string.rep("z", 1 << 20)
local n = 0
for i = 1, 1e6 do if tonumber(s, 36) then n = n + 1 end end
return n
