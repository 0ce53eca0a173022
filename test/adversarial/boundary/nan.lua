-- NaN in the output.
-- @expect output
return { x = 0/0 }
