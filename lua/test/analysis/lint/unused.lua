-- Locals never read.
local unused_value = 1 --@ unused
local only_written = 1 --@ unused
only_written = 2
local _ignored = 1
local _ = 2
local function helper() return 1 end --@ unused
local function recurse(k) if k > 0 then return recurse(k - 1) end return 0 end --@ unused
local function add(a, b, c) return a + b end --@ unused
local function second(_, y) return y end
local function positional(x, y) return y end
local function vararg(first, ...) return select("#", ...) end
local obj = {}
function obj:method(arg) return self end --@ unused
local a, b = second(1, 2), positional(1, 2)
for i = 1, 2 do print(a) end --@ unused
for k, v in pairs(obj) do print(v) end
for k2, v2 in pairs(obj) do print(b) end --@ unused unused
local result = add(1, 2, 3) + vararg(1)
print(result)
