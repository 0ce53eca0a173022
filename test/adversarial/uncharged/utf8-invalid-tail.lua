-- utf8.len of a long valid string with a bad last byte: scanned to the end each time.
-- @expect budget
local s = string.rep("a", 1 << 21) .. "\xff"
local n = 0
for i = 1, 1e6 do if not utf8.len(s) then n = n + 1 end end
return n
