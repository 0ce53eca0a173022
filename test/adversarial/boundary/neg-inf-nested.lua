-- -inf deep in the output.
-- @expect output
return { { { y = -math.huge } } }
