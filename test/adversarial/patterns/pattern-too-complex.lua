-- Deep matcher recursion (nested captures and %b): "pattern too complex", caught.
-- @expect ok
-- @output false
local ok = pcall(string.match, string.rep("a", 100000), string.rep("(a", 32) .. string.rep(")", 32) .. string.rep("a?", 300) .. "$")
return ok
