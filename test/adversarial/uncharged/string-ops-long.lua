-- upper, lower, reverse and rep of megabyte strings, in a loop.
-- @expect budget|memory
local s = string.rep("aB", 1 << 19)
local n = 0
for i = 1, 1e6 do n = n + #s:upper() + #s:lower() + #s:reverse() end
return n
