-- table.unpack of a hundred million values: refused, not attempted.
-- @expect runtime
return select("#", table.unpack({}, 1, 1e8))
