-- error: 2:11: UTF-8 value too large near '"\u{110000'
local s = "\u{110000}"
