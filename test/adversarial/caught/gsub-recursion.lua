-- gsub callbacks that call gsub again.
-- @expect stack
local function g(s) return (s:gsub(".", g)) end
return pcall(g, "abc")
