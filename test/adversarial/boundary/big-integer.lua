-- math.maxinteger, beyond what a JSON number carries exactly.
-- @expect output
return { n = math.maxinteger }
