-- error: 2:11: decimal escape too large near '"\999'
local s = "\999