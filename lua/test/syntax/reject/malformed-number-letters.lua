-- error: 2:11: malformed number near '3abc'
local n = 3abc
