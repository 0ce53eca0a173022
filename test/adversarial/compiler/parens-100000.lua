-- 100,000 nested parentheses: a syntax error, not a crash.
-- @known the event loop held 85 ms (measured at load average ~7 on 2 cores)
-- @expect syntax
-- @generate parens 100000
return x
