-- Async host calls without end.
-- @expect budget
-- @host slow=slow
local n = 0
while true do n = n + slow(1) end
