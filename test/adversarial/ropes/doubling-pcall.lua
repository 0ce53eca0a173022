-- The doubling inside pcall: the memory limit is not caught.
-- @expect memory
local ok = pcall(function() local s = "x" for i = 1, 30 do s = s .. s end return #s end)
return ok
