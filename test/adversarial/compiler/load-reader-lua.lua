-- load with a Lua reader that returns comment pieces for ever.
-- @known the event loop held 1271 ms (measured at load average ~7 on 2 cores)
-- @expect budget|memory
-- @contract {"stdlib": {"allow": ["load"]}}
return load(function() return "-- " .. string.rep("x", 1000) .. "\n" end)
