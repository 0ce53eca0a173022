-- 190 nested parentheses: within luac's 200 C levels.
-- @expect ok
-- @output 1
-- @generate parens 190
return x
