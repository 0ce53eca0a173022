-- Globals through _ENV, a local _ENV, upvalues of upvalues, varargs, tail calls.
local _ENV = { print = print }
x = 1
local function f(...)
  local a, b = ...
  local function g(...) x = a; return b, ... end
  return g
end
return f(1, 2, 3)
