-- error: 2:11: malformed number near '2.5e+'
local n = 2.5e+
