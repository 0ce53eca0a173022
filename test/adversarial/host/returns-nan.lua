-- The host returns NaN (JSON would make it null): refused, not changed.
-- @known ended ok, expected host (full run, 2 cores, load average under 3)
-- @expect host
-- @host h=nan
return { v = h() }
