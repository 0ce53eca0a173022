-- table.move of a billion elements.
-- @expect budget|memory
local t = {}
table.move(t, 1, 1e9, 2)
return 1
