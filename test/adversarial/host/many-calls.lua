-- A million host calls.
-- @expect budget
-- @host echo=echo
local n = 0
for i = 1, 1e6 do n = n + echo(i) end
return n
