-- string.format of a format that is a megabyte of %%.
-- @expect budget
local f = string.rep("%%", 1 << 19)
local n = 0
for i = 1, 1e6 do n = n + #string.format(f) end
return n
