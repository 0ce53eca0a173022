-- A huge rope flattened by indexing its last byte.
-- @expect memory
local s = "xy"
for i = 1, 28 do s = s .. s end
return s:byte(-1)
