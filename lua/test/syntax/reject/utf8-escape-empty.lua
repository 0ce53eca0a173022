-- error: 2:11: hexadecimal digit expected near '"\u{}'
local s = "\u{}"
