-- An xpcall message handler that never returns.
-- @known event loop held 116 ms (full run, 2 cores, load average under 3)
-- @expect budget
return xpcall(error, function(m) while true do end end)
