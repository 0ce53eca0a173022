-- The host returns an object of 500,000 keys (within the value limit): converted, charged.
-- @known event loop held 2696 ms (full run, 2 cores, load average under 3)
-- @expect ok|budget
-- @host h=manyKeys
local t = h()
return t.k7
