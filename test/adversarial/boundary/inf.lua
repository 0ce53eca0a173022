-- Infinity in the output.
-- @expect output
return { x = math.huge }
