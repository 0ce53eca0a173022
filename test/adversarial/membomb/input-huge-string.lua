-- A script that makes its input's string big: the input counts, and so does what it makes.
-- @expect memory
-- @input {"s": "abcdefghijklmnopqrstuvwxyz"}
local s = input.s
for i = 1, 23 do s = s .. s end
return #s
