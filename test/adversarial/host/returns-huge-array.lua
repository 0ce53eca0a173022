-- The host returns two million numbers.
-- @expect host|budget|memory
-- @host h=hugeArray
local t = h()
return #t
