-- string.rep with a long separator.
-- @expect memory
return #string.rep("ab", 1e6, string.rep(",", 1000))
