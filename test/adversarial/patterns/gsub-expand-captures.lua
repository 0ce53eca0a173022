-- gsub whose replacement repeats a long capture many times at every match.
-- @expect budget|memory
local s = string.rep("abcdefgh", 1 << 16)
local r = string.rep("%1", 1000)
return #s:gsub("(.+)", r)
