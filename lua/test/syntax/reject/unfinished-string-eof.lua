-- error: 2:11: unfinished string near <eof>
local s = "abc