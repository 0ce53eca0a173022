-- gsub with a backtracking pattern and a Lua callback.
-- @expect budget
local s = string.rep("a", 4000)
return s:gsub(".-.-.-c", function(m) return m end)
