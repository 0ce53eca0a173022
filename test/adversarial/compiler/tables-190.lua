-- 190 nested table constructors.
-- @expect ok
-- @generate tables 190
return 1
