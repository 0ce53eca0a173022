-- The host returns an object of 500,000 keys (within the value limit): converted, charged.
-- @known event loop held 166-273 ms: Object.keys of the host's object of 500,000 keys, which V8 lists in one piece (the host's making of it is no longer measured, and the conversion after the listing is sliced)
-- @expect ok|budget
-- @host h=manyKeys
local t = h()
return t.k7
