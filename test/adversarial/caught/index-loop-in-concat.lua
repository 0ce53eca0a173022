-- table.concat of a proxy whose __index loops for ever, under a budget of a billion instructions.
-- @expect budget
-- @contract {"limits": {"instructions": 1000000000}}
local p = setmetatable({}, { __len = function() return 10 end, __index = function() while true do end end })
return table.concat(p)
