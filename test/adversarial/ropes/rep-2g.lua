-- string.rep of two gigabytes.
-- @expect memory|runtime
return #string.rep("x", 1 << 31)
