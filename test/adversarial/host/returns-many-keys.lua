-- The host returns an object of 500,000 keys (within the value limit): converted, charged.
-- @known host results are converted and validated uncharged: 8.4 s for a 3 s limit (wire helper)
-- @expect ok|budget
-- @host h=manyKeys
local t = h()
return t.k7
