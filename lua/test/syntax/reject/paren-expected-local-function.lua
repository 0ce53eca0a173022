-- error: 2:17: '(' expected near '.'
local function a.b() end
