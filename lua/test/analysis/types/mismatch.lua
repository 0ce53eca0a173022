-- type-mismatch: operations that fail for every value the operand can have.
local n = 42
local flag = true
local s = "text"
local t = { a = 1 }
local f = function() return 1 end
local x1 = n.field --@ type-mismatch
local x2 = flag.field --@ type-mismatch
local x3 = n() --@ type-mismatch
local x4 = s() --@ type-mismatch
local x5 = #n --@ type-mismatch
local x6 = "a" .. flag --@ type-mismatch
local x7 = "a" .. t --@ type-mismatch
local x8 = flag + 1 --@ type-mismatch
local x9 = t + 1 --@ type-mismatch
local x10 = f .. "" --@ type-mismatch
local x11 = t.missing.deeper --@ type-mismatch
-- Coercions and string methods are fine.
local ok1 = "10" + 1
local ok2 = n .. "px"
local ok3 = s:upper()
local ok4 = ("x"):rep(2)
local ok5 = s.len(s)
local ok6 = #s + #t
local ok7 = t.a + f()
-- A table that was passed on may have gained a metatable: nothing is claimed.
local shared = {}
setmetatable(shared, { __concat = function() return "" end })
local ok8 = "a" .. shared
-- Order comparisons fail on nil, booleans, functions and tables without __lt/__le.
local x12 = flag < 1 --@ type-mismatch
local x13 = t <= 1 --@ type-mismatch
local x14 = s < 1 --@ type-mismatch
local ok9 = s < "u"
local ok10 = setmetatable({}, { __lt = function() return true end }) < shared
print(x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, ok9, ok10, ok1, ok2, ok3, ok4, ok5, ok6, ok7, ok8)
return { normalized_vendor = s }
