-- coroutines in depth (manual §2.6, §6.2)
local function gen(n)
  return coroutine.wrap(function()
    for i = 1, n do
      coroutine.yield(i)
    end
  end)
end
local s = 0
for v in gen(100) do
  s = s + v
end
print(s)
-- passing values both ways
local co = coroutine.create(function(...)
  print("args", ...)
  local a, b = coroutine.yield("first", 1)
  print("resumed with", a, b)
  local c = coroutine.yield()
  return "ret", c
end)
print(coroutine.resume(co, "x", "y"))
print(coroutine.resume(co, 10, 20))
print(coroutine.resume(co, "last"))
print(coroutine.resume(co))
print(coroutine.status(co))
-- status from inside and the running coroutine
local outer
outer = coroutine.create(function()
  print("inside status", coroutine.status(outer), coroutine.running() == outer, coroutine.isyieldable())
  local inner = coroutine.create(function()
    print("outer seen from inner", coroutine.status(outer))
    coroutine.yield()
  end)
  coroutine.resume(inner)
  print("inner", coroutine.status(inner))
end)
coroutine.resume(outer)
print("main", coroutine.isyieldable(), select(2, coroutine.running()))
-- yield across pcall, error after resume caught inside
local co2 = coroutine.create(function()
  local ok, err = pcall(function()
    local v = coroutine.yield("yielded in pcall")
    error("boom " .. v)
  end)
  coroutine.yield(ok, err)
  local ok2, v2 = pcall(coroutine.yield, "yield as pcall target")
  return ok2, v2
end)
print(coroutine.resume(co2))
print(coroutine.resume(co2, "x"))
print(coroutine.resume(co2))
print(coroutine.resume(co2, "back"))
-- errors: dead coroutines, resume running, yield outside
print(coroutine.resume(co2))
print(coroutine.resume(coroutine.running()))
print(pcall(coroutine.yield))
local w = coroutine.wrap(function()
  return 1
end)
w()
print(pcall(w))
local werr = coroutine.wrap(function()
  error({ code = 1 })
end)
local ok, e = pcall(werr)
print(ok, type(e), e.code)
local werr2 = coroutine.wrap(function()
  local x = nil
  return x.y
end)
print(pcall(werr2))
-- yield inside metamethods and iterators
local mt = {
  __index = function(t, k)
    return coroutine.yield(k)
  end,
  __add = function(a, b)
    return coroutine.yield("add")
  end,
  __lt = function(a, b)
    return coroutine.yield("lt")
  end,
  __concat = function(a, b)
    return coroutine.yield("concat")
  end,
}
local co3 = coroutine.wrap(function()
  local obj = setmetatable({}, mt)
  local v = obj.field
  local sum = obj + 1
  local less = obj < obj
  local cat = "a" .. obj .. "b"
  return v, sum, less, cat
end)
print(co3())
print(co3("got field"))
print(co3(99))
print(co3(false))
print(co3("C"))
-- yield across a C call boundary is an error
local co4 = coroutine.create(function()
  return table.sort({ 3, 2, 1 }, function(a, b)
    coroutine.yield()
    return a < b
  end)
end)
print(coroutine.resume(co4))
-- tostring of threads, type
print(type(co), (tostring(co):gsub("0x%x+", "ADDR")))
-- many coroutines
local list = {}
for i = 1, 100 do
  list[i] = coroutine.create(function(x)
    coroutine.yield(x * 2)
    return x * 3
  end)
end
local total = 0
for i = 1, 100 do
  local _, v = coroutine.resume(list[i], i)
  total = total + v
end
for i = 1, 100 do
  local _, v = coroutine.resume(list[i])
  total = total + v
end
print(total)
-- wrap inside wrap, deep
local function nest(n)
  if n == 0 then
    return coroutine.wrap(function()
      coroutine.yield("leaf")
    end)
  end
  local inner = nest(n - 1)
  return coroutine.wrap(function()
    coroutine.yield(inner())
  end)
end
print(nest(50)())
