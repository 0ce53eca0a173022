-- Appending to one string a million times (quadratic copying in PUC Lua).
-- @expect memory|budget
local s = ""
for i = 1, 1e6 do s = s .. "0123456789abcdef" end
return #s
