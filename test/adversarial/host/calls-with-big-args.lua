-- Host calls with a megabyte argument each, many times.
-- @known took 3299 ms, over timeMs + 100; event loop held 773 ms (full run, 2 cores, load average under 3)
-- @expect budget|memory
-- @host size=size
local s = string.rep("b", 1 << 20)
local n = 0
for i = 1, 1e5 do n = n + size(s) end
return n
