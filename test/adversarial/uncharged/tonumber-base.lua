-- tonumber of a megabyte numeral in base 36.
-- @known event loop held 123 ms (full run, 2 cores, load average under 3)
-- @expect budget
local s = string.rep("z", 1 << 20)
local n = 0
for i = 1, 1e6 do if tonumber(s, 36) then n = n + 1 end end
return n
