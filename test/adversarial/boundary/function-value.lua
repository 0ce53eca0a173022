-- A function in the output.
-- @expect output
return { f = print }
