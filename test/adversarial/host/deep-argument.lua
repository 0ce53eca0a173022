-- 10,000 nested tables given to the host.
-- @expect runtime
-- @host echo=echo
local t = {}
for i = 1, 10000 do t = { t } end
return echo(t)
