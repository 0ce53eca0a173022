-- load of 100,000 nested parentheses: nil and a message, not a crash.
-- @expect ok
-- @output "string"
-- @contract {"stdlib": {"allow": ["load"]}}
local f, err = load("return " .. string.rep("(", 100000) .. "1" .. string.rep(")", 100000))
return type(err)
