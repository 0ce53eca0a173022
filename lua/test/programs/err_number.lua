-- a number as error value
local function f()
  error(404)
end
f()
