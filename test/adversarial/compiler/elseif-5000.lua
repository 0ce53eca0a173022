-- An if with 5,000 elseif branches.
-- @expect ok
-- @output 0
-- @generate elseif 5000
return x
