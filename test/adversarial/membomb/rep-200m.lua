-- One string.rep of 200 MB in the first instruction.
-- @expect memory
-- @ci
return #string.rep("x", 200 << 20)
