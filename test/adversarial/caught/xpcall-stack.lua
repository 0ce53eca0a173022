-- xpcall with a handler around a stack overflow.
-- @expect stack
local function f() return f() + 1 end
return xpcall(f, function(m) return "handled: " .. tostring(m) end)
