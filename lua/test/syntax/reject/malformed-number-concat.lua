-- error: 2:11: malformed number near '1..2'
local s = 1..2
