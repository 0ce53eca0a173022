-- Host errors caught again and again.
-- @expect budget
-- @host h=rejects
local n = 0
while true do if not pcall(h) then n = n + 1 end end
