-- A 10,000-term sum, which luac compiles.
-- @known internal error: Maximum call stack size exceeded (the compiler recurses on the expression; the depth helper's part)
-- @expect ok
-- @output 10000
-- @generate sum 10000
return x
