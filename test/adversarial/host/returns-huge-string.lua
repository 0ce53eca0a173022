-- The host returns a 200 MB string.
-- @expect memory|host
-- @host h=hugeString
local s = h()
return #s
