-- §3.3.4: return must be last, optionally with a semicolon
local function a() return end
local function b() return; end
local function c() return 1, 2, 3; end
local function d() do return end print() end
local function e() if x then return x else return end end
return
