-- A hundred thousand nested tables.
-- @known the event loop held 151 ms (measured at load average ~7 on 2 cores)
-- @expect output
local t = {}
for i = 1, 100000 do t = { t } end
return t
