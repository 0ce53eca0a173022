-- Coroutines resuming coroutines, deeper and deeper ("C stack overflow").
-- @expect stack
local function nest(n) return coroutine.resume(coroutine.create(function() return nest(n + 1) end)) end
return nest(0)
