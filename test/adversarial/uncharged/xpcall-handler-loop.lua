-- An xpcall message handler that never returns.
-- @known event loop held 39-62 ms alone (four runs; 116 ms in an earlier full run), though it passed three full runs with the second tier on (2 cores, load average 1-2): the handler runs nested, before the error unwinds
-- @expect budget
return xpcall(error, function(m) while true do end end)
