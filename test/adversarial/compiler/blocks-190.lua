-- 190 nested do blocks.
-- @expect ok
-- @output 1
-- @generate blocks 190
return x
