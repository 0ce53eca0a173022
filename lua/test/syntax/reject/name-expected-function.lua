-- error: 2:10: <name> expected near '1'
function 1() end
