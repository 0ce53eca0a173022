-- One string.rep of 200 MB in the first instruction.
-- @ci
-- @expect memory
return #string.rep("x", 200 << 20)
