-- A table that contains itself.
-- @expect output
local t = {}
t.self = t
return t
