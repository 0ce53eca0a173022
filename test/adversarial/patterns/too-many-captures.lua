-- More captures than Lua allows: an error, caught, and the script goes on.
-- @ci
-- @expect ok
-- @output false
local ok = pcall(string.find, "x", string.rep("()", 40))
return ok
