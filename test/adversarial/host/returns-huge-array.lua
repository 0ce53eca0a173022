-- The host returns two million numbers.
-- @known event loop held 880 ms (full run, 2 cores, load average under 3)
-- @expect host|budget|memory
-- @host h=hugeArray
local t = h()
return #t
