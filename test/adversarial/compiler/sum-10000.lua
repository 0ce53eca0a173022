-- A 10,000-term sum, which luac compiles.
-- @expect ok
-- @output 10000
-- @generate sum 10000
return x
