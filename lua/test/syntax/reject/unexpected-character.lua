-- error: 2:13: unexpected symbol near '@'
local x = 1 @ 2
