-- expect rename: 3 edits
local total = 0
total = to$0tal + 1
