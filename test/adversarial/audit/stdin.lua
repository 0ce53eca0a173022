-- The stdin's bytes edited (hash and output left): the record's stdin hash tells.
-- @mode replay
-- @tamper stdin
-- @expect diverged
-- @contract {"stdlib": {"allow": ["io.read"]}}
-- @stdin the real text
local line = io.read("l")
return #line > 0
