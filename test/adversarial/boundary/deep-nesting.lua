-- A hundred thousand nested tables.
-- @known event loop held 108 ms (full run, 2 cores, load average under 3)
-- @expect output
local t = {}
for i = 1, 100000 do t = { t } end
return t
