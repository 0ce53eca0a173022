-- utf8.char of many code points, again and again.
-- @expect budget
local t = {}
for i = 1, 5000 do t[i] = 0x10000 + i end
local n = 0
for i = 1, 1e6 do n = n + #utf8.char(table.unpack(t)) end
return n
