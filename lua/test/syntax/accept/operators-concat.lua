local s = "a" .. "b" .. 1 .. 2.5 .. x
local t = 1 ..2
local u = a..b
