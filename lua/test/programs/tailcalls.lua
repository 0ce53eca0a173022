-- proper tail calls (manual §3.4.10) and deep recursion
local function loop(n, acc)
  if n == 0 then return acc end
  return loop(n - 1, acc + 1)
end
print(loop(1000000, 0))
local function even(n)
  if n == 0 then return true end
  return odd(n - 1)
end
function odd(n)
  if n == 0 then return false end
  return even(n - 1)
end
print(even(100001))
local depth = 0
local function deep(n)
  depth = depth + 1
  if n == 0 then return 0 end
  return 1 + deep(n - 1)
end
print(deep(10000), depth)
local ok, err = pcall(function()
  local function inf(n)
    return 1 + inf(n + 1)
  end
  return inf(1)
end)
print(ok, err)
local count = 0
local function bounded()
  count = count + 1
  if count < 500000 then return bounded() end
  return count
end
print(bounded())
