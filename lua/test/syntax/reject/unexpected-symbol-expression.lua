-- error: 2:11: unexpected symbol near ')'
local x = )
