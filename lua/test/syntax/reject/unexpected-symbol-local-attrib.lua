-- error: 3:9: unexpected symbol near '<'
-- Lua 5.4 attributes are not Lua 5.3
local x <const> = 1
