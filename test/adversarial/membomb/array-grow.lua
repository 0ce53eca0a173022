-- One table grown to twenty million slots.
-- @known took 3161 ms, over timeMs + 100; the event loop held 184 ms (measured at load average ~7 on 2 cores)
-- @expect memory|budget
local t = {}
for i = 1, 2e7 do t[i] = i end
return #t
