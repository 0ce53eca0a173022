-- A string doubled 28 times (256 MB) in a few instructions.
-- @ci
-- @expect memory
local s = "x"
for i = 1, 28 do s = s .. s end
return #s
