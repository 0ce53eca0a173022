-- The host returns a 200 MB string.
-- @known a 200 MB host result is converted before any check: 16 s for a 3 s limit (wire helper)
-- @expect memory|host
-- @host h=hugeString
local s = h()
return #s
