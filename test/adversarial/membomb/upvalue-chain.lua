-- Strings chained through upvalues of closures that hold the previous one.
-- @expect memory
local f = function() return "" end
for i = 1, 200 do
  local prev, s = f, string.rep("u", 1 << 20) .. i
  f = function() return s, prev end
end
return 1
