-- load with a Lua reader that returns comment pieces for ever.
-- @expect budget|memory
-- @contract {"stdlib": {"allow": ["load"]}}
return load(function() return "-- " .. string.rep("x", 1000) .. "\n" end)
