-- A table whose __index, __pairs and __len would loop: read raw, no script code runs.
-- @expect ok
-- @output {"a":1}
local loop = function() while true do end end
return setmetatable({ a = 1 }, { __index = loop, __pairs = loop, __len = loop, __tostring = loop })
