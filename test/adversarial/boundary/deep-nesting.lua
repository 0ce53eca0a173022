-- A hundred thousand nested tables.
-- @expect output
local t = {}
for i = 1, 100000 do t = { t } end
return t
