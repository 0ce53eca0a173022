-- error: 2:10: unexpected symbol near '<\195>'
local café = 1
