-- A 190-term concatenation (right associative, within luac's 200 C levels).
-- @expect ok
-- @output 190
-- @generate concat 190
return #x
