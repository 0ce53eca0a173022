-- A 16 MB string within the 64 MB limit: fine, and its length right.
-- @expect ok
-- @output 16777216
local s = "x"
for i = 1, 24 do s = s .. s end
return #s
