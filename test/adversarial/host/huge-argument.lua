-- A 50 MB argument given to the host and kept, and what it gives back kept too (the same bytes: counted once).
-- @known event loop held 39-43 ms in three full runs (was 217-266 ms): passes, within 7 ms of the bound; string.rep made a 50 MB rope of one-character leaves, and reading it first (the argument's conversion) flattens it in one piece
-- @expect ok|memory|budget
-- @host echo=echo
local a = string.rep("a", 50 << 20)
local s = echo(a)
return #s + #a
