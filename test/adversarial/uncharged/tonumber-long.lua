-- tonumber of a megabyte numeral, in a loop.
-- @expect budget
local s = string.rep("1", 1 << 20)
local n = 0
for i = 1, 1e6 do if tonumber(s) then n = n + 1 end end
return n
