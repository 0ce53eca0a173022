-- Numbers concatenated into ever-new strings: charged like any concatenation.
-- @expect budget
local n = 0
while true do n = n + #(n .. "" .. n * 1.5) end
