-- __eq and __lt that compare again.
-- @expect stack
local mt = {}
mt.__lt = function(a, b) return a < b end
local a, b = setmetatable({}, mt), setmetatable({}, mt)
return pcall(function() return a < b end)
