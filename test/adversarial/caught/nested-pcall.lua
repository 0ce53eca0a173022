-- pcall inside pcall inside pcall, without end.
-- @expect stack
local function f(n) return pcall(f, n + 1) end
return f(0)
