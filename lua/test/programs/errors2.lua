-- error values, levels, messages with variable names (manual §2.3, §6.1)
local function lvl(n)
  error("at level " .. n, n)
end
local function caller(n)
  lvl(n)
end
for n = 0, 3 do
  print(pcall(caller, n))
end
print(pcall(error, nil))
print(pcall(error, 42))
print(pcall(error, 4.5))
print(pcall(error, true))
local t = setmetatable({}, {
  __tostring = function()
    return "tostring'd"
  end,
})
local ok, e = pcall(error, t)
print(ok, e == t)
print(select("#", pcall(error)))
-- names in messages
local up = nil
local tab = {}
print(pcall(function()
  return up.x
end))
print(pcall(function()
  return tab.a.b
end))
print(pcall(function()
  return tab.a.b.c
end))
print(pcall(function()
  return notdefined.x
end))
print(pcall(function()
  notdefined()
end))
print(pcall(function()
  tab.nomethod()
end))
print(pcall(function()
  tab:nomethod()
end))
print(pcall(function()
  local loc
  loc()
end))
print(pcall(function()
  local loc = 1
  return loc + {}
end))
print(pcall(function()
  return tab + 1
end))
print(pcall(function()
  return 1 + tab.missing
end))
print(pcall(function()
  return #up
end))
print(pcall(function()
  return -tab
end))
print(pcall(function()
  return up .. "x"
end))
print(pcall(function()
  return "x" .. tab
end))
print(pcall(function()
  return tab .. "x"
end))
print(pcall(function()
  up.field = 1
end))
print(pcall(function()
  notdefined.field = 1
end))
print(pcall(function()
  tab[nil] = 1
end))
print(pcall(function()
  tab[0 / 0] = 1
end))
print(pcall(function()
  return math.huge | 0
end))
print(pcall(function()
  local f = 1.5
  return f & 1
end))
print(pcall(function()
  return ("x")()
end))
print(pcall(function()
  return (1)()
end))
print(pcall(function()
  return tab.x.y.z
end))
print(pcall(function()
  local a = { b = {} }
  return a.b.c.d
end))
print(pcall(function()
  return _ENV.nothere.x
end))
print(pcall(function()
  for i = 1, "x" do
  end
end))
print(pcall(function()
  for i = "a", 2 do
  end
end))
print(pcall(function()
  for i = 1, 2, {} do
  end
end))
print(pcall(string.rep))
print(pcall(("x").rep))
print(pcall(function()
  return ("x"):rep({})
end))
print(pcall(function()
  return string.rep("x", {})
end))
print(pcall(function()
  return math.floor({})
end))
print(pcall(setmetatable, 1, 2))
print(pcall(function()
  return setmetatable({}, 1)
end))
print(pcall(ipairs))
print(pcall(function()
  for i, v in ipairs() do
  end
end))
print(pcall(function()
  return next({}, "nokey")
end))
-- xpcall handlers
print(xpcall(function()
  error("E")
end, function(m)
  return "handled: " .. m
end))
print(xpcall(function(...)
  return ...
end, print, 1, 2, 3))
print(xpcall(function()
  error({ 1, 2 })
end, function(m)
  return type(m)
end))
print(xpcall(function()
  local x = nil
  return x.y
end, function(m)
  return (m:gsub("^.-:%d+: ", ""))
end))
print(xpcall(error, function(m)
  return "h:" .. tostring(m)
end, "direct"))
-- error with non-string values keeps them
local ok2, v = pcall(function()
  error(setmetatable({}, {
    __index = function()
      return "idx"
    end,
  }))
end)
print(ok2, v.anything)
-- nested pcall
print(pcall(pcall, error, "inner"))
print(pcall(pcall))
-- errors in metamethods carry positions of the metamethod
local M = setmetatable({}, {
  __index = function(t, k)
    error("no field " .. k)
  end,
})
print(pcall(function()
  return M.foo
end))
print(pcall(function()
  return M.foo
end, 2))
-- tostring(nil) error messages
print(pcall(string.format, "%d", "x"))
-- assert
print(pcall(assert, false, "msg"), pcall(assert, nil), pcall(assert, 1, 2, 3))
print(pcall(assert))
