-- string.format("%q") of a megabyte of bytes that need escapes.
-- @expect budget|memory
local s = string.rep("\0\n\"", 1 << 18)
local n = 0
for i = 1, 1e6 do n = n + #string.format("%q", s) end
return n
