-- __tostring that calls tostring on itself.
-- @expect stack
local t = setmetatable({}, {})
getmetatable(t).__tostring = function(x) return tostring(x) end
return pcall(tostring, t)
