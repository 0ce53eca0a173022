-- Twenty scripts that hold 25 MB and then fail with a runtime error.
-- @mode retention
-- @runs 20
-- @expect runtime
local t = {}
for i = 1, 25 do t[i] = string.rep("f", 1 << 20) .. RUN end
error("failed holding " .. #t)
