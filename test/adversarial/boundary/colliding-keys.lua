-- Keys 1 and "1", which become one JSON key.
-- @ci
-- @expect output
return { [1] = "a", ["1"] = "b" }
