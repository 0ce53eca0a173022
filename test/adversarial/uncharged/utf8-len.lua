-- utf8.len of a two-megabyte string, in a loop.
-- @expect budget
local s = string.rep("\xc3\xa9", 1 << 20)
local n = 0
for i = 1, 1e6 do n = n + utf8.len(s) end
return n
