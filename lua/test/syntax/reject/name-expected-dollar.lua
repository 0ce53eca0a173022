-- error: 2:7: <name> expected near '$'
local $x = 1
