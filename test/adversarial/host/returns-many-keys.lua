-- The host returns an object of 500,000 keys (within the value limit): converted, charged.
-- @expect ok|budget
-- @host h=manyKeys
local t = h()
return t.k7
