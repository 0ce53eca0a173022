-- 100,000 strings each a megabyte long, sharing one piece: 100 GB as Lua counts.
-- @expect memory
local big = string.rep("x", 1 << 20)
local t = {}
for i = 1, 100000 do t[i] = big .. i end
return #t
