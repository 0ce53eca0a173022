-- string.format("%q") of a megabyte of bytes that need escapes.
-- @known event loop held 63 ms (full run, 2 cores, load average under 3)
-- @expect budget|memory
local s = string.rep("\0\n\"", 1 << 18)
local n = 0
for i = 1, 1e6 do n = n + #string.format("%q", s) end
return n
