-- Fields that Lua 5.3's standard tables do not have, and names of older Luas.
local s = string.formt("%d", 1) --@ unknown-member
local n = table.getn({}) --@ unknown-member
local p = math.pow(2, 3) --@ unknown-member
local m = math.mod(7, 2) --@ unknown-member
local l = math.ldexp(1, 2) --@ unknown-member
local g = math.log10(100) --@ unknown-member
for w in string.gfind("a b", "%a") do print(w) end --@ unknown-member
table.setn({}, 2) --@ unknown-member
local u = unpack({ 1, 2 }) --@ unknown-member
local f = loadstring("return 1") --@ unknown-member
setfenv(1, {}) --@ unknown-member
local b = bit32.band(1, 3) --@ unknown-member
local str = string
local a = str.fromat("%s", "x") --@ unknown-member
local up = ("x"):uper() --@ unknown-member
local word = "abc"
local r = word:revers() --@ unknown-member
local e = _G.table.maxn({}) --@ unknown-member
local gf = string.gfind --@ unknown-member
local fmt = str.formatt --@ unknown-member
print(gf, fmt("%d", 1), gf("a", "a"))
-- Real members, through the same ways.
local ok = string.format("%d", 2) .. str.rep("x", 2) .. ("x"):upper() .. word:reverse()
local fine = math.fmod(7, 2) + math.floor(1.5) + table.unpack({ 1 }) + select("#", load("return 1"))
print(s, n, p, m, l, g, u, f, b, a, up, r, e, ok, fine)
