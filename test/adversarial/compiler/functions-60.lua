-- 60 nested function expressions, each called.
-- @expect ok
-- @output 1
-- @generate functions 60
return x
