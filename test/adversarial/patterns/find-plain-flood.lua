-- Plain find of a long needle that almost matches, again and again.
-- @expect budget
local hay = string.rep("a", 1 << 20)
local needle = string.rep("a", 1 << 19) .. "b"
local n = 0
for i = 1, 1e6 do if hay:find(needle, 1, true) then n = n + 1 end end
return n
