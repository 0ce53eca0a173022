-- An argument of 900,000 values: converted and charged.
-- @expect ok|budget
-- @host size=size
local t = {}
for i = 1, 900000 do t[i] = i end
return size(t)
