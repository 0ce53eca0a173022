-- A small chunk loaded a million times.
-- @expect budget
-- @contract {"stdlib": {"allow": ["load"]}}
local n = 0
for i = 1, 1e6 do n = n + load("return " .. i)() end
return n
