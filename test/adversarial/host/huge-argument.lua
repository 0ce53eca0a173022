-- A 50 MB argument given to the host and kept, and what it gives back kept too (the same bytes: counted once).
-- @known event loop held 291-1320 ms, ends memory (was 1.1-2.1 s held): string.rep made a 50 MB rope, flattened in one piece when the argument is first read; the conversion after it is sliced (measured alone 3-5 times, 2 cores shared, load average 4-10)
-- @expect ok|memory|budget
-- @host echo=echo
local a = string.rep("a", 50 << 20)
local s = echo(a)
return #s + #a
