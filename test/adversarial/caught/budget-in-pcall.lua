-- An endless loop inside pcall, and pcall again when it ends.
-- @expect budget
local n = 0
while true do
  pcall(function() while true do end end)
  n = n + 1
end
