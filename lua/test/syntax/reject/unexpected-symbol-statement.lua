-- error: 3:1: unexpected symbol near '+'
local x = 1;
+ x
