-- A huge rope through string.upper.
-- @expect memory
local s = "x"
for i = 1, 27 do s = s .. s end
return #s:upper()
