-- error: 2:11: malformed number near '0x'
local n = 0x
