-- error: 3:1: unfinished long comment (starting at line 3) near <eof>
local x = 1
--[[ a comment
that never ends
