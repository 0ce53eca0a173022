-- An xpcall message handler that never returns.
-- @known the event loop held 372 ms (measured at load average ~7 on 2 cores)
-- @expect budget
return xpcall(error, function(m) while true do end end)
