-- __tostring that loops for ever, called by print, under a budget of a billion instructions.
-- @expect budget
-- @contract {"limits": {"instructions": 1000000000}}
print(setmetatable({}, { __tostring = function() while true do end end }))
