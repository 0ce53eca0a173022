-- A 100 MB string returned at once.
-- @expect memory
return string.rep("x", 100 << 20)
