-- 100,000 nested parentheses: a syntax error, not a crash.
-- @known event loop held 91 ms (full run, 2 cores, load average under 3)
-- @expect syntax
-- @generate parens 100000
return x
