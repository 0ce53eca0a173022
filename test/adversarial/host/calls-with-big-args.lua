-- Host calls with a megabyte argument each, many times.
-- @known event loop held 33-244 ms, 331-1559 ms to the budget (was 773-1004 ms held, 3.3-3.4 s): each 1 MB argument is charged by its bytes now; what is left is the host's own JSON.stringify of each argument and the machine's load (measured alone 3-5 times, 2 cores shared, load average 4-10)
-- @expect budget|memory
-- @host size=size
local s = string.rep("b", 1 << 20)
local n = 0
for i = 1, 1e5 do n = n + size(s) end
return n
