-- load with a Lua reader that returns comment pieces for ever.
-- @known event loop held 80-288 ms (was 365-961 ms): the reader runs in the VM's loop now, with the hook between its calls (measured alone 3-5 times, 2 cores shared, load average 4-10)
-- @expect budget|memory
-- @contract {"stdlib": {"allow": ["load"]}}
return load(function() return "-- " .. string.rep("x", 1000) .. "\n" end)
