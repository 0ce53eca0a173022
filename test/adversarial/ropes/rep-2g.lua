-- string.rep of two gigabytes.
-- @expect memory
return #string.rep("x", 1 << 31)
