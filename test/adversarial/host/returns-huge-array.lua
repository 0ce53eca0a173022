-- The host returns two million numbers.
-- @known event loop held 141-177 ms at load average 2 (139-1230 ms at load 4-10; was 880-1665 ms): the host function itself holds it making two million numbers (Array.from); the sandbox refuses the array by its length before converting any of it (measured alone 3 times, 2 cores shared)
-- @expect host|budget|memory
-- @host h=hugeArray
local t = h()
return #t
