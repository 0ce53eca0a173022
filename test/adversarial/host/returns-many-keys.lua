-- The host returns an object of 500,000 keys (within the value limit): converted, charged.
-- @known event loop held 1.6-10.6 s (was 2.7-4.6 s): the host function itself holds it making its 500,000 keys (1.5-1.7 s alone at load 6) and Object.keys lists them in one piece; the conversion after that is sliced (measured alone 3-5 times, 2 cores shared, load average 4-10)
-- @expect ok|budget
-- @host h=manyKeys
local t = h()
return t.k7
