-- Locals that hide others.
local value = 1
local count = 2
do
  local value = 3 --@ shadowing
  print(value)
end
local function f(count) --@ shadowing
  return count
end
local function g(x)
  print(x)
  return function(x) return x end --@ shadowing
end
for i = 1, 2 do
  for i = 1, 2 do print(i) end --@ shadowing
  print(i)
end
local print = print
local ok, err = pcall(f, 1)
print(ok, err)
local ok, err = pcall(g, 2) -- redeclared in the same block: not shadowing
print(ok)
local _tmp = 1
do local _tmp = 2 print(_tmp) end
do local count = count print(count) end
-- Same names in sibling scopes hide nothing.
local function h1(y) return y end
local function h2(y) return y end
for j = 1, 2 do print(j) end
for j = 1, 2 do print(j) end
local function outer()
  local inner = 1
  return function() local v = inner return v end
end
print(value, err, _tmp, h1, h2, outer)
