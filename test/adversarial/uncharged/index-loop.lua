-- An __index loop: an error, not a hang.
-- @ci
-- @expect runtime
local a, b = {}, {}
setmetatable(a, { __index = b })
setmetatable(b, { __index = a })
return a.x
