-- An xpcall message handler that loops for ever, under a budget of a billion instructions.
-- @expect budget
-- @contract {"limits": {"instructions": 1000000000}}
return xpcall(error, function() while true do end end)
