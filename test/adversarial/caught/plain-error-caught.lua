-- An ordinary error stays catchable (only limits are not).
-- @expect ok
-- @output [false,true]
local ok = pcall(error, "plain")
local ok2 = pcall(function() return 1 end)
return { ok, ok2 }
