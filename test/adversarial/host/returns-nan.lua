-- The host returns NaN (JSON would make it null): refused, not changed.
-- @known a host's NaN becomes nil, reported as success (the host bridge: wire helper)
-- @expect host
-- @host h=nan
return { v = h() }
