-- error: 3:1: '}' expected (to close '{' at line 2) near <eof>
local t = {1, 2
