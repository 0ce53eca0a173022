-- Twenty scripts that each keep 25 MB in closures without upvalues but _ENV, and tables of them.
-- @mode retention
-- @runs 20
-- @expect ok
local keep = {}
for i = 1, 25 do
  _G["S" .. i] = string.rep("z", 1 << 20) .. RUN
  keep[i] = function() return _G["S" .. i] end
end
return #keep
