-- error: 2:11: missing '}' near '"\u{41"'
local s = "\u{41"
