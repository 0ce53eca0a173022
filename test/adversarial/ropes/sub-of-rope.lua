-- string.sub of the middle of a huge rope, many times.
-- @expect memory|budget
local s = "xy"
for i = 1, 26 do s = s .. s end
local n = 0
for i = 1, 1000 do n = n + #s:sub(i, -i) end
return n
