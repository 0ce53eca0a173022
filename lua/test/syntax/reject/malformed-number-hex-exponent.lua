-- error: 2:11: malformed number near '0x1p'
local n = 0x1p
