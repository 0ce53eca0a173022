-- error: 2:11: unfinished long string (starting at line 2) near <eof>
local s = [[
never
closed
