-- A chain of 1,900 __index tables, read a million times.
-- @expect budget
local t = { x = 1 }
for i = 1, 1900 do t = setmetatable({}, { __index = t }) end
local n = 0
for i = 1, 1e6 do n = n + t.x end
return n
