-- string.format gluing huge strings.
-- @expect memory
local s = string.rep("x", 1 << 24)
return #string.format("%s%s%s%s%s", s, s, s, s, s)
