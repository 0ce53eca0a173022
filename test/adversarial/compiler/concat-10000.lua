-- A 10,000-term concatenation (right associative).
-- @expect ok
-- @output 10000
-- @generate concat 10000
return #x
