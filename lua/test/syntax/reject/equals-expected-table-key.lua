-- error: 2:16: '=' expected near '2'
local t = {[1] 2}
