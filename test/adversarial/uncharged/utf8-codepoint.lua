-- utf8.codepoint over a whole long string: a million results.
-- @expect budget|runtime|memory
local s = string.rep("\xc3\xa9", 1 << 20)
local n = 0
for i = 1, 1e6 do n = n + select("#", utf8.codepoint(s, 1, -1)) end
return n
