-- §3.4.11: function definitions and their sugar
function f() end
function a.b.c.f() end
function a.b.c:m() return self end
local function g(x, y) return x + y end
local h = function(...) return ... end
function v(a, b, ...) local t = {...} return select('#', ...) end
local function rec(n) if n > 0 then return rec(n - 1) end end
return function() end
