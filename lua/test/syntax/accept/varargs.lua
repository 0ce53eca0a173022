-- §3.4.11: varargs in the main chunk and vararg functions
local a, b = ...
local t = { ... }
local n = select("#", ...)
function f(...)
  local function inner(...) return ... end
  return inner(...), ..., (...)
end
