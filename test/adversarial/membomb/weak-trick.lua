-- Big strings as keys of a weak table (strings are never collected from it in Lua).
-- @known memory held this way is not caught before the clock: budget after 3 s, event loop held 100-700 ms (accounting: acct helper)
-- @expect memory
local t = setmetatable({}, { __mode = "k" })
for i = 1, 200 do t[string.rep("w", 1 << 20) .. i] = true end
return 1
