-- The host returns an object of 500,000 keys (within the value limit): converted, charged.
-- @known event loop held 166-273 ms: Object.keys of the host's own object of 500,000 keys, which V8 lists in one piece (~190 ms; the conversion after the listing is sliced); a script cannot make such an object for a host to hand back (host/echo-many-keys: tables of more than 50,000 keys are refused on the way out)
-- @expect ok|budget
-- @host h=manyKeys
local t = h()
return t.k7
