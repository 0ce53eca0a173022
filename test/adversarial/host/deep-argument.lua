-- 10,000 nested tables given to the host.
-- @known a deep argument is refused only after a long conversion: event loop held ~240 ms (wire helper)
-- @expect runtime
-- @host echo=echo
local t = {}
for i = 1, 10000 do t = { t } end
return echo(t)
