-- upper, lower, reverse and rep of megabyte strings, in a loop.
-- @known event loop held 35-64 ms (3 runs of the case alone, 2 cores, load average 3.3-4.4; upper, lower, reverse and rep are each one pass over a megabyte)
-- @expect budget|memory
local s = string.rep("aB", 1 << 19)
local n = 0
for i = 1, 1e6 do n = n + #s:upper() + #s:lower() + #s:reverse() end
return n
