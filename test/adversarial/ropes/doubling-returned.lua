-- A 256 MB rope returned as the output: measured before it is converted.
-- @expect memory
local s = "x"
for i = 1, 28 do s = s .. s end
return s
