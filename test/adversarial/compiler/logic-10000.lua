-- A 10,000-term and/or chain.
-- @expect ok
-- @output 1
-- @generate logic 10000
return x
