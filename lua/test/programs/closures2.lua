-- closures and upvalues (manual §3.5)
local function counter()
  local n = 0
  return function()
    n = n + 1
    return n
  end, function()
    return n
  end
end
local inc, get = counter()
inc()
inc()
print(get(), inc(), get())
local fs = {}
for i = 1, 3 do
  fs[i] = function()
    return i
  end
end
print(fs[1](), fs[2](), fs[3]())
local gs = {}
local j = 1
while j <= 3 do
  local k = j
  gs[j] = function()
    return k
  end
  j = j + 1
end
print(gs[1](), gs[2](), gs[3]())
local shared = {}
do
  local x = 10
  shared.get = function()
    return x
  end
  shared.set = function(v)
    x = v
  end
end
shared.set(42)
print(shared.get())
local function outer()
  local a = 1
  local function middle()
    local b = 2
    return function()
      a = a + 1
      b = b + 1
      return a + b
    end
  end
  return middle(), function()
    return a
  end
end
local f, ga = outer()
print(f(), f(), ga())
-- closures in repeat-until see the local in the condition
local r = {}
local i = 0
repeat
  local v = i
  r[#r + 1] = function()
    return v
  end
  i = i + 1
until v >= 2
print(#r, r[1](), r[3]())
-- same closure reused when it captures nothing new (5.3 caches closures)
local function mk()
  return function()
    return 1
  end
end
print(mk() == mk())
local cs = {}
for n = 1, 2 do
  cs[n] = function()
    return n
  end
end
print(cs[1] == cs[2])
-- recursive local function
local function fact(n)
  if n <= 1 then return 1 end
  return n * fact(n - 1)
end
print(fact(20), fact(21))
-- upvalue of upvalue after the outer returned
local function make(x)
  return function(y)
    return function(z)
      return x + y + z
    end
  end
end
print(make(1)(2)(3))
-- goto with closures: each iteration a new local
local list = {}
do
  local n = 1
  ::top::
  local captured = n
  list[#list + 1] = function()
    return captured
  end
  n = n + 1
  if n <= 3 then goto top end
end
print(list[1](), list[2](), list[3]())
