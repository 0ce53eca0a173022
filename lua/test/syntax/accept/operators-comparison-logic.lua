-- §3.4.4-3.4.5: relational and logical operators
local a = 1 < 2, 1 <= 2, 1 > 2, 1 >= 2, 1 == 2, 1 ~= 2
local b = x and y or z
local c = not x == y
local d = a or b and c
local e = #t + 1, #"s", -#t
