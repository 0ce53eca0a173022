-- A 50 MB argument given to the host and kept, and what it gives back kept too (the same bytes: counted once).
-- @known the event loop held 1501 ms (measured at load average ~7 on 2 cores)
-- @expect ok|memory|budget
-- @host echo=echo
local a = string.rep("a", 50 << 20)
local s = echo(a)
return #s + #a
