-- __concat that concatenates its operand again.
-- @expect stack
local t = setmetatable({}, {})
getmetatable(t).__concat = function(a, b) return a .. b end
return pcall(function() return t .. "x" end)
