-- Every way to reach a denied name. Marks: --@ codes of the findings that start on the line.
os.execute("ls") --@ forbidden
local x = os
x.execute("ls") --@ forbidden
local _run = io.popen --@ forbidden
local _g = _G.io --@ forbidden
local _r = _ENV["require"] --@ forbidden
local l = rawget(_G, "load") --@ forbidden
local d = ("").dump --@ forbidden
local d2 = getmetatable("").__index.dump --@ forbidden
local rep = ("x"):rep(3) --@ forbidden
local name = "lo" .. "ad"
local dyn = _G[input.vendor_name] --@ forbidden
local t = os.time()
print(l, d, d2, rep, name, dyn)
local fine = string.format("%d", 1)
return { normalized_vendor = tostring(t) .. fine }
