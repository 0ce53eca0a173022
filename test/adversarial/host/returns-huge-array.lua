-- The host returns two million numbers.
-- @known host results are converted and validated uncharged: 3.5 s for a 3 s limit (wire helper)
-- @expect host|budget|memory
-- @host h=hugeArray
local t = h()
return #t
