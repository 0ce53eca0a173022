-- A megabyte key looked up a million times in a table.
-- @expect budget
local key = string.rep("k", 1 << 20)
local t = { [key] = 1 }
local probe = string.rep("k", 1 << 20)
local n = 0
for i = 1, 1e6 do n = n + (t[probe] or 0) end
return n
