-- error: 2:11: hexadecimal digit expected near '"\x5g'
local s = "\x5g"
