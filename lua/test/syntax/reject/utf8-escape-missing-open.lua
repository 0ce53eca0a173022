-- error: 2:11: missing '{' near '"\u0'
local s = "\u0041"
