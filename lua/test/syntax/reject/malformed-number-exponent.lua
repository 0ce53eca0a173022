-- error: 2:11: malformed number near '1e'
local n = 1e
