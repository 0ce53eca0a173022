-- string.pack and unpack of long strings in a loop.
-- @expect budget|memory
local s = string.rep("p", 1 << 20)
local n = 0
for i = 1, 1e6 do n = n + #string.pack("s4", s) + #string.unpack("z", s .. "\0") end
return n
