-- A stack overflow inside a coroutine, resumed under pcall.
-- @expect stack
local function f() return f() + 1 end
return pcall(coroutine.resume, coroutine.create(f))
