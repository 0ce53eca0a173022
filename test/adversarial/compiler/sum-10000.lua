-- A 10,000-term sum, which luac compiles.
-- @known event loop held 72 ms (full run, 2 cores, load average under 3)
-- @expect ok
-- @output 10000
-- @generate sum 10000
return x
