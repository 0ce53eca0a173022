-- A table of half a million string keys, measured while it grows and walked by pairs.
-- @expect ok|memory
local t = {}
for i = 1, 500000 do t["k" .. i] = i end
local n = 0
for k, v in pairs(t) do n = n + 1 end
return n
