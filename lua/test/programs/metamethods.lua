-- every metamethod of Lua 5.3 (manual §2.4)
local log = {}
local function note(s)
  log[#log + 1] = s
end
local V = {}
V.__index = V
local function vec(x, y)
  return setmetatable({ x = x, y = y }, V)
end
V.__add = function(a, b)
  note("add")
  return vec(a.x + b.x, a.y + b.y)
end
V.__sub = function(a, b)
  return vec(a.x - b.x, a.y - b.y)
end
V.__mul = function(a, b)
  if type(a) == "number" then return vec(a * b.x, a * b.y) end
  if type(b) == "number" then return vec(a.x * b, a.y * b) end
  return a.x * b.x + a.y * b.y
end
V.__div = function(a, b)
  return vec(a.x / b, a.y / b)
end
V.__mod = function(a, b)
  return vec(a.x % b, a.y % b)
end
V.__pow = function(a, b)
  return vec(a.x ^ b, a.y ^ b)
end
V.__unm = function(a)
  return vec(-a.x, -a.y)
end
V.__idiv = function(a, b)
  return vec(a.x // b, a.y // b)
end
V.__band = function(a, b)
  return "band"
end
V.__bor = function(a, b)
  return "bor"
end
V.__bxor = function(a, b)
  return "bxor"
end
V.__shl = function(a, b)
  return "shl"
end
V.__shr = function(a, b)
  return "shr"
end
V.__bnot = function(a)
  return "bnot"
end
V.__concat = function(a, b)
  local function s(v)
    return type(v) == "table" and ("(" .. v.x .. "," .. v.y .. ")") or tostring(v)
  end
  return s(a) .. s(b)
end
V.__len = function(a)
  return 2
end
V.__eq = function(a, b)
  note("eq")
  return a.x == b.x and a.y == b.y
end
V.__lt = function(a, b)
  return a.x < b.x
end
V.__le = function(a, b)
  return a.x <= b.x
end
V.__tostring = function(a)
  return "vec(" .. a.x .. ", " .. a.y .. ")"
end
V.__call = function(self, k)
  return self[k]
end
V.len = function(self)
  return math.sqrt(self * self)
end
local p, q = vec(1, 2), vec(3, 4)
print(tostring(p + q), tostring(p - q), p * q, tostring(2 * p), tostring(p * 2))
print(tostring(q / 2), tostring(q % 2), tostring(p ^ 2), tostring(-p), tostring(q // 2))
print(p & 1, 1 | p, p ~ p, p << 1, 1 >> p, ~p)
print(p .. q, p .. "!", "!" .. p, 1 .. p, p .. q .. "end", "a" .. "b" .. p .. "c" .. "d")
print(#p, p == vec(1, 2), p ~= vec(1, 2), p == q, p < q, p <= q, p > q, p >= q)
print(p("x"), p("y"), q:len())
print(table.concat(log, " "))
-- __le falls back to not __lt(b, a)
local L = {
  __lt = function(a, b)
    return a.v < b.v
  end,
}
local function l(v)
  return setmetatable({ v = v }, L)
end
print(l(1) <= l(2), l(2) <= l(1), l(1) >= l(1))
-- __eq only between tables; not called for identical or different types
local E = {
  __eq = function()
    print("eq called")
    return true
  end,
}
local e1, e2 = setmetatable({}, E), setmetatable({}, E)
print(e1 == e2, e1 == e1, e1 == 1, e1 ~= e2)
-- __eq result converted to boolean
local E2 = {
  __eq = function()
    return 42
  end,
}
print(setmetatable({}, E2) == setmetatable({}, E2))
-- __lt result converted to boolean
print(setmetatable({}, {
  __lt = function()
    return nil
  end,
}) < {})
-- metamethod from the second operand
print(10 + setmetatable({}, {
  __add = function(a, b)
    return "right " .. a
  end,
}))
-- __index and __newindex functions and tables, chains
local base = { greet = "hello" }
local mid = setmetatable({}, { __index = base })
local top = setmetatable({}, { __index = mid })
print(top.greet, rawget(top, "greet"))
local store = {}
local proxy = setmetatable({}, {
  __index = function(t, k)
    return "computed " .. k
  end,
  __newindex = function(t, k, v)
    rawset(store, k, v)
  end,
})
proxy.a = 1
print(proxy.a, store.a, rawget(proxy, "a"))
local chain = setmetatable({}, { __newindex = setmetatable({}, { __newindex = store }) })
chain.z = 26
print(store.z, rawget(chain, "z"))
local existing = setmetatable({ k = 1 }, {
  __newindex = function()
    error("not called")
  end,
})
existing.k = 2
print(existing.k)
-- __len on tables; rawlen ignores it
local sized = setmetatable({ 1, 2, 3 }, {
  __len = function()
    return 99
  end,
})
print(#sized, rawlen(sized))
-- __metatable protects
local guarded = setmetatable({}, { __metatable = "locked" })
print(getmetatable(guarded), pcall(setmetatable, guarded, {}))
-- __tostring and __name
print(tostring(setmetatable({}, {
  __tostring = function()
    return "custom"
  end,
})))
print((tostring(setmetatable({}, { __name = "MyType" })):gsub("0x%x+", "ADDR")))
print(pcall(function()
  return setmetatable({}, { __name = "MyType" }) + 1
end))
print(pcall(
  tostring,
  setmetatable({}, {
    __tostring = function()
      return 1
    end,
  })
))
print(pcall(
  tostring,
  setmetatable({}, {
    __tostring = function()
      return {}
    end,
  })
))
-- __pairs
local pt = setmetatable({}, {
  __pairs = function(t)
    return function(_, k)
      if not k then return 1, "one" end
    end, t, nil
  end,
})
for k, v in pairs(pt) do
  print("pairs", k, v)
end
-- __call with extra arguments and through pcall
local callable = setmetatable({}, {
  __call = function(self, a, b)
    return a + b, self
  end,
})
print(callable(1, 2), pcall(callable, 3, 4))
-- __index on strings
print(("abc"):upper(), ("x"):rep(3, ","), #"hello")
-- __concat with numbers
local C = setmetatable({}, {
  __concat = function(a, b)
    return "C"
  end,
})
print(1 .. C, C .. 2.5, C .. C)
-- __unm and __len receive the operand twice
setmetatable(log, {
  __unm = function(a, b)
    return rawequal(a, b)
  end,
  __len = function(a, b)
    return rawequal(a, b)
  end,
})
print(-log, #log)
