-- 300 nested parentheses: luac refuses ("too many C levels"), so does the compiler, as a syntax error.
-- @ci
-- @expect syntax
-- @generate parens 300
return x
