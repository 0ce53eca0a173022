-- utf8.offset from the end of a long string, in a loop.
-- @expect budget
local s = string.rep("\xc3\xa9", 1 << 20)
local n = 0
for i = 1, 1e6 do n = n + utf8.offset(s, -(1 << 19)) end
return n
