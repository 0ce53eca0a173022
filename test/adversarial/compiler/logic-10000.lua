-- A 10,000-term and/or chain.
-- @known event loop held 155 ms (full run, 2 cores, load average under 3)
-- @expect ok
-- @output 1
-- @generate logic 10000
return x
