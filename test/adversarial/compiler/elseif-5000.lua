-- An if with 5,000 elseif branches.
-- @known the event loop held 609 ms (measured at load average ~7 on 2 cores)
-- @expect ok
-- @output 0
-- @generate elseif 5000
return x
