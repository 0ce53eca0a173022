-- Two keys that are not UTF-8 (both would become U+FFFD).
-- @expect output
return { ["\xff"] = 1, ["\xfe"] = 2 }
