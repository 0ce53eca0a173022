-- object-oriented patterns: classes, inheritance, methods, super calls
local Animal = {}
Animal.__index = Animal
function Animal.new(name, sound)
  local self = setmetatable({}, Animal)
  self.name = name
  self.sound = sound
  return self
end
function Animal:speak()
  return self.name .. " says " .. self.sound
end
function Animal:rename(n)
  self.name = n
  return self
end
local Dog = setmetatable({}, { __index = Animal })
Dog.__index = Dog
function Dog.new(name)
  local self = Animal.new(name, "woof")
  return setmetatable(self, Dog)
end
function Dog:speak()
  return Animal.speak(self) .. "!"
end
function Dog:fetch()
  return self.name .. " fetches"
end
local a, d = Animal.new("cat", "meow"), Dog.new("rex")
print(a:speak(), d:speak(), d:fetch(), d:rename("max"):speak())
print(getmetatable(d) == Dog, rawget(d, "speak"), d.new == Dog.new)
local Stack = {}
Stack.__index = Stack
Stack.__len = function(s)
  return s.n
end
Stack.__tostring = function(s)
  local p = {}
  for i = 1, s.n do
    p[i] = tostring(s.items[i])
  end
  return "[" .. table.concat(p, ",") .. "]"
end
function Stack.new()
  return setmetatable({ items = {}, n = 0 }, Stack)
end
function Stack:push(...)
  for _, v in ipairs({ ... }) do
    self.n = self.n + 1
    self.items[self.n] = v
  end
  return self
end
function Stack:pop()
  local v = self.items[self.n]
  self.items[self.n] = nil
  self.n = self.n - 1
  return v
end
local st = Stack.new():push(1, 2, 3)
print(#st, tostring(st), st:pop(), #st, tostring(st))
local count = 0
local Counter = setmetatable({}, {
  __call = function(cls, start)
    return setmetatable({ v = start }, cls)
  end,
})
Counter.__index = Counter
function Counter:inc()
  self.v = self.v + 1
  count = count + 1
  return self
end
local c = Counter(10)
for _ = 1, 5 do
  c:inc()
end
print(c.v, count)
local obj = { x = 1 }
function obj.method(self, y)
  return self.x + y
end
print(obj:method(2), obj.method(obj, 3))
