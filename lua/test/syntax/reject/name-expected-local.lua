-- error: 2:7: <name> expected near '1'
local 1 = 2
