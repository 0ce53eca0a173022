-- load with a Lua reader that returns comment pieces for ever.
-- @known event loop held 365 ms (full run, 2 cores, load average under 3)
-- @expect budget|memory
-- @contract {"stdlib": {"allow": ["load"]}}
return load(function() return "-- " .. string.rep("x", 1000) .. "\n" end)
