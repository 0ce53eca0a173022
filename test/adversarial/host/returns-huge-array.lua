-- The host returns two million numbers.
-- @known event loop held 139-1230 ms (was 880-1665 ms): the host function itself holds it making two million numbers (Array.from, ~230 ms alone at load 6); the sandbox refuses the array by its length before converting any of it (measured alone 3-5 times, 2 cores shared, load average 4-10)
-- @expect host|budget|memory
-- @host h=hugeArray
local t = h()
return #t
