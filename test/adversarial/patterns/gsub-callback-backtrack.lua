-- gsub with a backtracking pattern and a Lua callback.
-- @known event loop held 176 ms (full run, 2 cores, load average under 3)
-- @expect budget
local s = string.rep("a", 4000)
return s:gsub(".-.-.-c", function(m) return m end)
