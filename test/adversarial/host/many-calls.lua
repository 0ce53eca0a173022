-- A million host calls.
-- @known the event loop held 61 ms (measured at load average ~7 on 2 cores)
-- @expect budget
-- @host echo=echo
local n = 0
for i = 1, 1e6 do n = n + echo(i) end
return n
