-- Twenty scripts that each run out of memory.
-- @mode retention
-- @runs 20
-- @expect memory|budget
local t = {}
for i = 1, 100 do t[i] = string.rep("m", 1 << 20) .. RUN end
return #t
