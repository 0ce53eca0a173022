-- Keys 2 and 2.5 and "2": 2 and "2" collide.
-- @expect output
return { [2] = "a", [2.5] = "b", ["2"] = "c", [3] = "d" }
