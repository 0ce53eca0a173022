-- table.move of a billion elements.
-- @known the event loop held 121 ms (measured at load average ~7 on 2 cores)
-- @expect budget|memory
local t = {}
table.move(t, 1, 1e9, 2)
return 1
