-- Two huge ropes compared.
-- @expect memory
local s, t = "x", "x"
for i = 1, 27 do s = s .. s t = t .. t end
return s == t
