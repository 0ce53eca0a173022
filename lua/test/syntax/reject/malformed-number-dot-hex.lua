-- error: 2:11: malformed number near '.0x1'
local n = .0x1
