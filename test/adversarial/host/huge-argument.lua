-- A 50 MB argument given to the host, and back.
-- @expect memory|budget
-- @host echo=echo
local s = echo(string.rep("a", 50 << 20))
return #s
