-- Twenty scripts that leave 25 MB in suspended coroutines.
-- @mode retention
-- @runs 20
-- @expect ok
local cos = {}
for i = 1, 25 do
  cos[i] = coroutine.create(function(s) coroutine.yield(s) end)
  coroutine.resume(cos[i], string.rep("y", 1 << 20) .. RUN)
end
return #cos
