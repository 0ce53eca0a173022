-- Host calls with a megabyte argument each, many times.
-- @known event loop held 31-40 ms at load average 3 (no margin), 50-244 ms at load 4-10; 331-1559 ms to the budget (was 773-1004 ms held, 3.3-3.4 s): each 1 MB argument is charged by its bytes now; what is left is the host's own JSON.stringify of each argument (measured alone 3-5 times, 2 cores shared)
-- @expect budget|memory
-- @host size=size
local s = string.rep("b", 1 << 20)
local n = 0
for i = 1, 1e5 do n = n + size(s) end
return n
