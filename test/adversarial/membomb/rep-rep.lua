-- A megabyte repeated 256 times.
-- @expect memory
return #string.rep("x", 1 << 20):rep(256)
