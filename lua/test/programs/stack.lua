-- stack overflow and C stack overflow end in Lua errors
local function rec(n)
  return 1 + rec(n + 1)
end
local ok, e = pcall(rec, 1)
print(ok, e)
local function recv(...)
  return 1 + recv(1, 2, 3, ...)
end
print(pcall(recv))
local t = setmetatable({}, {})
getmetatable(t).__index = function(tt, k)
  return tt[k .. "x"]
end
print(pcall(function()
  return t.a
end))
local u = setmetatable({}, {})
getmetatable(u).__newindex = function(tt, k, v)
  tt[k] = v
end
print(pcall(function()
  u.a = 1
end))
local cyc = {}
setmetatable(cyc, { __index = cyc })
print(pcall(function()
  return cyc.x
end))
local n = 0
local function viaPcall()
  n = n + 1
  return pcall(viaPcall)
end
print(viaPcall(), n > 100)
local s = setmetatable({}, {
  __tostring = function(self)
    return tostring(self)
  end,
})
print(pcall(tostring, s))
print(select("#", pcall(string.rep, "x", -1)))
local co = coroutine.wrap(function()
  local function r()
    return 1 + r()
  end
  return r()
end)
print(pcall(co))
