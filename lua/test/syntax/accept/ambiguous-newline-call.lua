-- Lua 5.2+ reads a ( on the next line as a call of the previous expression
local a = f
(g)
