-- A table that contains itself, given to the host.
-- @expect runtime
-- @host echo=echo
local t = {}
t.t = t
return echo(t)
