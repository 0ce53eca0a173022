-- Memory running out inside pcall, then the script goes on as if nothing happened.
-- @expect memory
local ok = pcall(function() local t = {} for i = 1, 1e7 do t[i] = { i } end end)
local s = {}
for i = 1, 10 do s[i] = i end
return ok
