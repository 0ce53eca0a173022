-- Arithmetic on a megabyte numeral string (the VM's coercion, not tonumber).
-- @known took 5867 ms, over timeMs + 100; event loop held 3913 ms (full run, 2 cores, load average under 3)
-- @expect budget
local s = string.rep("1", 1 << 20)
local n = 0
for i = 1, 1e6 do n = s + 0 end
return n
