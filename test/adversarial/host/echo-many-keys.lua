-- A table of 500,000 string keys given to a host that gives it back: refused before it becomes an object the host loop would list in one piece.
-- @ci
-- @expect runtime
-- @host echo=echo
local t = {}
for i = 1, 500000 do t["k" .. i] = i end
local back = echo(t)
return back.k7
