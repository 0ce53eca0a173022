-- os.date with a format of 65,536 conversions, in a loop.
-- @expect budget
local f = string.rep("%c", 1 << 16)
local n = 0
for i = 1, 1e6 do n = n + #os.date(f, 0) end
return n
