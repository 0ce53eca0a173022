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
-- Not a test: these fail at run time.
print(math.pow(2, 2)) --@ unknown-member
print(undefined_thing.field) --@ undefined-global
if bit32.band(1, 1) then print(1) end --@ unknown-member
