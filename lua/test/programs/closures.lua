-- closures, upvalues, varargs, multiple results, tail calls, recursion (manual §3.4.10-11, §3.5)
local function counter()
  local n = 0
  return function() n = n + 1; return n end, function() return n end
end
local inc, get = counter()
inc(); inc()
print(get())
local fns = {}
for i = 1, 3 do fns[i] = function() return i end end
print(fns[1](), fns[2](), fns[3]())
local acc = {}
local j = 1
while j <= 3 do local k = j; acc[j] = function() return k * 10 end; j = j + 1 end
print(acc[1](), acc[3]())
local function va(...)
  local a, b = ...
  return select("#", ...), a, b, ...
end
print(va())
print(va(1, nil, 3))
print((va(1, 2, 3)))
local function pass(...) return ... end
print(pass(1, 2, 3), pass(4, 5))
print({pass(1, 2, 3)}[3], #{pass(1, 2, 3), pass(4)})
local function sum(n, acc) if n == 0 then return acc end return sum(n - 1, acc + n) end
print(sum(100000, 0))
local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
print(fib(20))
local function deep(n) if n == 0 then return 0 end return 1 + deep(n - 1) end
print(deep(10000))
print(pcall(function() local function inf(n) return 1 + inf(n + 1) end return inf(1) end))
local obj = {name = "o"}
function obj:greet(greeting) return greeting .. ", " .. self.name end
print(obj:greet("hi"), obj.greet(obj, "hey"))
local shared
do
  local x = 1
  shared = {function() x = x + 1 end, function() return x end}
end
shared[1](); shared[1]()
print(shared[2]())
goto skip
print("not printed")
::skip::
for i = 1, 3 do
  for j2 = 1, 3 do
    if j2 == 2 then goto continue end
    io = nil
    print("loop", i, j2)
    ::continue::
  end
end
do
  local i = 1
  ::top::
  if i <= 3 then i = i + 1; goto top end
  print("goto loop", i)
end
