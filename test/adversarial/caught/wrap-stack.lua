-- A stack overflow inside coroutine.wrap, under pcall.
-- @ci
-- @expect stack
local function f() return f() + 1 end
return pcall(coroutine.wrap(f))
