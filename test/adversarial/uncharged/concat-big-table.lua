-- table.concat of a 200,000-element table, again and again.
-- @expect budget
local t = {}
for i = 1, 200000 do t[i] = "ab" end
local n = 0
for i = 1, 1e6 do n = n + #table.concat(t, ",") end
return n
