-- varargs and multiple results (manual §3.4.11)
local function f(...)
  return select("#", ...), ...
end
print(f())
print(f(nil))
print(f(1, nil, 3))
print(f(nil, nil))
local function g(a, b, ...)
  return a, b, select("#", ...)
end
print(g(1), g(1, 2, 3, 4))
local function three()
  return 1, 2, 3
end
print(three(), three())
print((three()))
local t = { three(), three() }
print(#t, t[1], t[4])
t = { three(), (three()) }
print(#t)
print(select(2, three()), select(-1, three()))
local function pass(...)
  return ...
end
print(pass(1, nil, nil))
print(select("#", pass(1, nil, nil)))
local packed = table.pack(pass(nil, 2, nil))
print(packed.n, packed[1], packed[2], packed[3])
print(table.unpack({ 1, 2, 3 }, 2), table.unpack({ 1, 2, 3 }, 2, 5))
local function sum(...)
  local s = 0
  for i = 1, select("#", ...) do
    s = s + (select(i, ...))
  end
  return s
end
print(sum(), sum(1), sum(1, 2, 3, 4, 5))
local function varg_in_table(...)
  local a = { ... }
  return #a, a[2]
end
print(varg_in_table(5, 6, 7))
local function tail(...)
  return select("#", ...)
end
local function caller(...)
  return tail(...)
end
print(caller(1, 2, nil))
print(string.format("%s %s", three()))
local x, y, z, w = three()
print(x, y, z, w)
local a, b = (three())
print(a, b)
local function manyresults()
  local r = {}
  for i = 1, 300 do
    r[i] = i
  end
  return table.unpack(r)
end
print(select("#", manyresults()), (select(300, manyresults())))
print(math.max(manyresults()))
