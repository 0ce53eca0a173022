-- Closures holding a big string each, kept.
-- @ci
-- @expect memory
local t = {}
for i = 1, 200 do
  local s = string.rep("c", 1 << 20) .. i
  t[i] = function() return s end
end
return #t
