-- __index functions that index further: the C stack, caught by pcall.
-- @expect stack
local function f(d) return setmetatable({}, { __index = function(t, k) return f(d + 1)[k] end }) end
return pcall(function() return f(0).x end)
