-- load of a 16 MB source, compiled again and again: the compiler's work is charged.
-- @expect budget|memory
-- @contract {"stdlib": {"allow": ["load"]}}
local src = string.rep("local a = 1 ", 1 << 20)
while true do load(src) end
