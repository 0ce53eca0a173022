-- metatables and every metamethod (manual §2.4)
local V = {}
V.__index = V
V.__add = function(a, b)
  return setmetatable({ x = a.x + b.x }, V)
end
V.__sub = function(a, b)
  return setmetatable({ x = a.x - b.x }, V)
end
V.__mul = function(a, b)
  return type(b) == "number" and setmetatable({ x = a.x * b }, V) or a.x * b.x
end
V.__div = function(a, b)
  return "div"
end
V.__mod = function(a, b)
  return "mod"
end
V.__pow = function(a, b)
  return "pow"
end
V.__unm = function(a)
  return setmetatable({ x = -a.x }, V)
end
V.__idiv = function()
  return "idiv"
end
V.__band = function()
  return "band"
end
V.__bor = function()
  return "bor"
end
V.__bxor = function()
  return "bxor"
end
V.__shl = function()
  return "shl"
end
V.__shr = function()
  return "shr"
end
V.__bnot = function()
  return "bnot"
end
V.__concat = function(a, b)
  return "concat("
    .. tostring(type(a) == "table" and a.x or a)
    .. ","
    .. tostring(type(b) == "table" and b.x or b)
    .. ")"
end
V.__len = function(a)
  return a.x
end
V.__eq = function(a, b)
  return a.x == b.x
end
V.__lt = function(a, b)
  return a.x < b.x
end
V.__le = function(a, b)
  return a.x <= b.x
end
V.__call = function(self, y)
  return self.x + y
end
V.__tostring = function(self)
  return "V(" .. self.x .. ")"
end
function V.new(x)
  return setmetatable({ x = x }, V)
end
function V:double()
  return V.new(self.x * 2)
end
local a, b = V.new(3), V.new(4)
print(tostring(a + b), tostring(a - b), tostring(a * 2), a * b, a / b, a % b, a ^ b, tostring(-a))
print(a // b, a & b, a | b, a ~ b, a << b, a >> b, ~a, a .. b, "s" .. a, a .. 1, #a)
print(a == b, a == V.new(3), a < b, a <= b, a > b, a >= b, a ~= b, a(10), tostring(a:double()))
local log = {}
local proxy = setmetatable({}, {
  __index = function(t, k)
    log[#log + 1] = "get " .. tostring(k)
    return k .. "!"
  end,
  __newindex = function(t, k, v)
    log[#log + 1] = "set " .. tostring(k)
    rawset(t, k, v)
  end,
})
print(proxy.a, proxy.b)
proxy.c = 1
proxy.c = 2
print(proxy.c, table.concat(log, ";"))
local chain = setmetatable({}, { __index = setmetatable({ mid = "m" }, { __index = { deep = "d" } }) })
print(chain.mid, chain.deep, chain.none)
local store = {}
local redirect = setmetatable({}, { __newindex = store })
redirect.k = "v"
print(rawget(redirect, "k"), store.k)
local locked = setmetatable({}, { __metatable = "locked" })
print(getmetatable(locked), pcall(setmetatable, locked, {}))
print(getmetatable("abc").__index == string, ("x"):rep(3), ("%d"):format(5))
local named = setmetatable({}, { __name = "MyType" })
print(pcall(function()
  return named + 1
end))
print((tostring(named):gsub("0x%x+", "ADDR")))
local pairsmeta = setmetatable({}, {
  __pairs = function(t)
    return function(_, k)
      if not k then return 1, "one" end
    end, t, nil
  end,
})
for k, v in pairs(pairsmeta) do
  print("__pairs", k, v)
end
local cmp = setmetatable({}, {
  __lt = function()
    return true
  end,
})
print(pcall(function()
  return cmp <= cmp
end))
print(pcall(function()
  return {} < {}
end))
print(pcall(function()
  return {} .. "x"
end))
