-- The output repeats one 4 MB string a thousand times: refused by size before it is built.
-- @expect output|memory
local s = string.rep("x", 1 << 22)
local t = {}
for i = 1, 1000 do t[i] = s end
return t
