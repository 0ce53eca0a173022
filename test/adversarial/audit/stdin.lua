-- The stdin's bytes edited (hash and output left): the record's stdin hash tells.
-- @known replay trusts the record today: it replays as identical (verifying hashes, unconsumed calls and clock types is the wire helper's part)
-- @mode replay
-- @tamper stdin
-- @expect diverged
-- @contract {"stdlib": {"allow": ["io.read"]}}
-- @stdin the real text
local line = io.read("l")
return #line > 0
