-- load of a 16 MB source, compiled again and again: the compiler's work is charged.
-- @known event loop held 50-57 ms in half of today's full runs (38-49 alone): reading the first byte of the 12 MB rope string.rep made (is it a binary chunk?) flattens it in one piece, ~40 ms, before the compile is charged and refused for memory
-- @expect budget|memory
-- @contract {"stdlib": {"allow": ["load"]}}
local src = string.rep("local a = 1 ", 1 << 20)
while true do load(src) end
