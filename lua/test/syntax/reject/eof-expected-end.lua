-- error: 3:1: <eof> expected near 'end'
local x = 1
end
