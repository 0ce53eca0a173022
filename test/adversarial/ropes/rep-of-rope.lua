-- string.rep of a big string a billion times.
-- @expect memory|runtime
local s = string.rep("ab", 1 << 20)
return #s:rep(1e9)
