-- 190 nested table constructors.
-- @ci
-- @expect ok
-- @generate tables 190
return 1
