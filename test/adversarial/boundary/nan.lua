-- NaN in the output.
-- @expect output
-- @ci
return { x = 0/0 }
