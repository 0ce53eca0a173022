-- Big strings as keys of a weak table (strings are never collected from it in Lua).
-- @expect memory
local t = setmetatable({}, { __mode = "k" })
for i = 1, 200 do t[string.rep("w", 1 << 20) .. i] = true end
return 1
