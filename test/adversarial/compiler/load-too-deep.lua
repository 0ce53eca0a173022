-- load of 100,000 nested parentheses: nil and a message, not a crash.
-- @known event loop held 61 ms (full run, 2 cores, load average under 3)
-- @expect ok
-- @output "string"
-- @contract {"stdlib": {"allow": ["load"]}}
local f, err = load("return " .. string.rep("(", 100000) .. "1" .. string.rep(")", 100000))
return type(err)
