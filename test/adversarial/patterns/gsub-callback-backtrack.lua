-- gsub with a backtracking pattern and a Lua callback.
-- @known the event loop held 406 ms (measured at load average ~7 on 2 cores)
-- @expect budget
local s = string.rep("a", 4000)
return s:gsub(".-.-.-c", function(m) return m end)
