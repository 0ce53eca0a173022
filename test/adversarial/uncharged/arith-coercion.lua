-- Arithmetic on a megabyte numeral string (the VM's coercion, not tonumber).
-- @known took 3573 ms, over timeMs + 100; the event loop held 3574 ms (measured at load average ~7 on 2 cores)
-- @expect budget
local s = string.rep("1", 1 << 20)
local n = 0
for i = 1, 1e6 do n = s + 0 end
return n
