-- Reads that only test whether a name exists are no error, nor are uses guarded by such a test.
local unpack = unpack or table.unpack
local setfenv = setfenv or function(fn) return fn end
local pack = table.pack or function(...) return { n = select("#", ...), ... } end
local pow = math.pow or function(x, y) return x ^ y end
if jit then print("luajit") end
if not bit32 then print("5.3") end
if getfenv ~= nil then print(getfenv(1)) end
if type(module) == "function" then print("5.1") end
local loaded = package.loaders == nil
local has = rawlen and true
if newproxy then
  print(newproxy(true))
end
local v = _VERSION == "Lua 5.1" and math.mod and math.mod(7, 2)
if string.gfind then
  for w in string.gfind("a", "%a") do print(w) end
end
print(unpack({ 1 }), setfenv(print), pack(1).n, pow(2, 2), loaded, has, v)
-- Guards: earlier clauses, early returns, `or` after a negative test, `type(x) == …`.
if not getfenv then print("5.2+") else print(getfenv(1)) end
if type(jit) ~= "table" or not jit.version then print("PUC") end
if type(jit) == "table" then print(jit.version) end
local function env_of(fn)
  if getfenv == nil then return nil end
  return getfenv(fn)
end
-- What Lua 5.3 never runs: a fallback after a standard name, branches under a version test.
local tunpack = table.unpack or unpack
if not table.unpack then table.unpack = unpack end
if _VERSION == "Lua 5.1" then setfenv(1, {}) end
if _VERSION:find("5.1") then module("x") end
local old = _VERSION == "Lua 5.1" and loadstring("return 1")
if table.pack then print(1) else print(unpack({ 2 })) end
print(env_of(print), tunpack({ 1 }), old)
-- Not a test: these fail at run time.
print(math.pow(2, 2)) --@ unknown-member
print(undefined_thing.field) --@ undefined-global
if bit32.band(1, 1) then print(1) end --@ unknown-member
local unpack2 = require("table").unpack or unpack
print(unpack2)
