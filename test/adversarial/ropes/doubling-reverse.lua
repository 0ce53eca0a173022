-- A huge rope through string.reverse.
-- @expect memory
local s = "ab"
for i = 1, 26 do s = s .. s end
return #s:reverse()
