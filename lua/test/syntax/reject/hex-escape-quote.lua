-- error: 2:11: hexadecimal digit expected near '"\x"'
local s = "\x"
