-- 100,000 nested parentheses: a syntax error, not a crash.
-- @expect syntax
-- @generate parens 100000
return x
