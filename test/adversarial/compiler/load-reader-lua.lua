-- load with a Lua reader that returns comment pieces for ever.
-- @known event loop held 33-69 ms (was 365-961 ms): the reader runs in the VM's loop now, with the hook between its calls; what is left is V8 collecting the ~50 MB of pieces held (measured alone 6 times, 2 cores shared, load average 2-3)
-- @expect budget|memory
-- @contract {"stdlib": {"allow": ["load"]}}
return load(function() return "-- " .. string.rep("x", 1000) .. "\n" end)
