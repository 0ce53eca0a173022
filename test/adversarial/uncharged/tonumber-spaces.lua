-- tonumber of a megabyte of spaces around a digit.
-- @expect budget
local s = string.rep(" ", 1 << 20) .. "1" .. string.rep(" ", 1 << 20)
local n = 0
for i = 1, 1e6 do n = n + tonumber(s) end
return n
