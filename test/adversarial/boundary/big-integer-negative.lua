-- -(2^53 + 1) as an integer.
-- @expect output
return { n = -(1 << 53) - 1 }
