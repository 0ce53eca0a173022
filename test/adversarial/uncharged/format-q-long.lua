-- string.format("%q") of a megabyte of bytes that need escapes.
-- @known the event loop held 106 ms (measured at load average ~7 on 2 cores)
-- @expect budget|memory
local s = string.rep("\0\n\"", 1 << 18)
local n = 0
for i = 1, 1e6 do n = n + #string.format("%q", s) end
return n
