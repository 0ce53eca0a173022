-- The host returns NaN (JSON would make it null): refused, not changed.
-- @expect host
-- @host h=nan
return { v = h() }
