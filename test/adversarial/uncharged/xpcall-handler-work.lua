-- xpcall handlers that each do a lot of string work, a million times.
-- @expect budget
local big = string.rep("h", 1 << 20)
local n = 0
for i = 1, 1e6 do
  local _, m = xpcall(error, function(m) return big:upper() end)
  n = n + #m
end
return n
