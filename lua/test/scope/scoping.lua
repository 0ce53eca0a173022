-- Visibility rules of Lua 5.3 (manual §3.5): blocks, shadowing, loops, repeat-until, methods.
-- Compared with luac5.3's listing by lua/src/syntax/scope.test.ts; every prefix is analyzed too.
count = 0
local count = count
do
  local count = count + 1
  local total, total = count, count * 2
  print(count, total)
end

local function walk(node, depth)
  if node == nil then return depth end
  return walk(node.next, depth + 1)
end
local visit = function(node) return visit and visit(node) end

local i = 3
repeat
  local left = i - 1
  i = left
until left <= 0 or i

while i < 2 do local i = i + 1; print(i) end

for i = i, i + 2, i + 1 do
  local i = i * 2
  count = count + i
end
for key, value in pairs({ a = 1 }) do
  print(key, value, count)
end

local account = { balance = 0 }
function account:deposit(v)
  self.balance = self.balance + v
  return function() return self.balance, v end
end
function account.withdraw(self, v) self.balance = self.balance - v end
function account.static() return self end

for n = 1, 3 do
  if n == 2 then goto continue end
  local label = "n" .. n
  print(label)
  ::continue::
end

local shared
do
  local hidden = 0
  shared = function() hidden = hidden + 1; return hidden end
end
if shared() > 1 then local x = 1; print(x) elseif count then local x = 2; print(x) else print(x) end
local list = { [1] = -count, "x", (count) }
list[#list + 1] = not list[1]
return walk({}, 0), visit, shared, list
