-- load of a 16 MB source, compiled again and again: the compiler's work is charged.
-- @known event loop held 81 ms (full run, 2 cores, load average under 3)
-- @expect budget|memory
-- @contract {"stdlib": {"allow": ["load"]}}
local src = string.rep("local a = 1 ", 1 << 20)
while true do load(src) end
