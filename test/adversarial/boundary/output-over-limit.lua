-- An output of two megabytes with a one-megabyte limit.
-- @expect output
return { s = string.rep("o", 2 << 20) }
