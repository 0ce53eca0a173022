-- print of a megabyte again and again: bounded by outputBytes.
-- @expect output|budget
local s = string.rep("p", 1 << 20)
while true do print(s) end
