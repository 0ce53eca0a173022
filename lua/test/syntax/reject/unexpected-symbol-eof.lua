-- error: 3:1: unexpected symbol near <eof>
local x = 1 +
