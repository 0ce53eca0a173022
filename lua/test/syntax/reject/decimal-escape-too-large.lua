-- error: 2:11: decimal escape too large near '"\256"'
local s = "\256"
