-- An if with 5,000 elseif branches.
-- @known event loop held 316 ms (full run, 2 cores, load average under 3)
-- @expect ok
-- @output 0
-- @generate elseif 5000
return x
