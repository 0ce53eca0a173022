-- A 50 MB argument given to the host and kept, and what it gives back kept too (the same bytes: counted once).
-- @known event loop held 217-266 ms at load average 2 (291-1320 ms at load 4-10; was 1.1-2.1 s), ends memory: string.rep made a 50 MB rope of one-character leaves, and reading it first (the argument's conversion) flattens it in one piece (~270 ms alone); the conversion after that is sliced (measured alone 3 times, 2 cores shared)
-- @expect ok|memory|budget
-- @host echo=echo
local a = string.rep("a", 50 << 20)
local s = echo(a)
return #s + #a
