-- error: 2:16: <name> expected near '('
local function (x) end
