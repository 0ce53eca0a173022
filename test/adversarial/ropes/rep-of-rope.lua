-- string.rep of a big string a billion times.
-- @expect memory
local s = string.rep("ab", 1 << 20)
return #s:rep(1e9)
