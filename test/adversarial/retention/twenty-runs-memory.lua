-- Twenty scripts that each run out of memory.
-- @known the event loop held 88 ms (measured at load average ~7 on 2 cores)
-- @mode retention
-- @runs 20
-- @expect memory|budget
local t = {}
for i = 1, 100 do t[i] = string.rep("m", 1 << 20) .. RUN end
return #t
