-- Closures holding a big string each, kept.
-- @known memory held this way is not caught before the clock: budget after 3 s, event loop held 100-700 ms (accounting: acct helper)
-- @expect memory
local t = {}
for i = 1, 200 do
  local s = string.rep("c", 1 << 20) .. i
  t[i] = function() return s end
end
return #t
