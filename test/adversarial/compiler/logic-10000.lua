-- A 10,000-term and/or chain.
-- @known internal error: Maximum call stack size exceeded (the compiler recurses on the expression; the depth helper's part)
-- @expect ok
-- @output 1
-- @generate logic 10000
return x
