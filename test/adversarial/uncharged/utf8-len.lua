-- utf8.len of a two-megabyte string, in a loop.
-- @known the event loop held 86 ms (measured at load average ~7 on 2 cores)
-- @expect budget
local s = string.rep("\xc3\xa9", 1 << 20)
local n = 0
for i = 1, 1e6 do n = n + utf8.len(s) end
return n
