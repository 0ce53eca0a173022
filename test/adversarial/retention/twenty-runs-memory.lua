-- Twenty scripts that each run out of memory.
-- @known event loop held 113-124 ms (two full runs, 2 cores, load average 1-2)
-- @mode retention
-- @runs 20
-- @expect memory|budget
local t = {}
for i = 1, 100 do t[i] = string.rep("m", 1 << 20) .. RUN end
return #t
