-- error: 4:7: unexpected symbol near '='
-- the ( continues the previous line: local a = f(g).x
local a = f
(g).x = 1
