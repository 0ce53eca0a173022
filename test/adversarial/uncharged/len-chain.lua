-- `#` through a chain of __len metamethods, each taking # of the next.
-- @expect budget|stack
local t = {}
for i = 1, 150 do
  local next = t[i - 1]
  t[i] = setmetatable({}, { __len = function() return next and #next + 1 or 0 end })
end
local n = 0
while true do n = n + #t[150] end
