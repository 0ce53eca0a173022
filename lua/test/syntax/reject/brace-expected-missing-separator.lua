-- error: 2:14: '}' expected near '2'
local t = {1 2}
