-- A huge rope as a table key (hashed).
-- @expect memory
local s = "x"
for i = 1, 27 do s = s .. s end
local t = { [s] = true }
return 1
