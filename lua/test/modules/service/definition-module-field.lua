-- expect definition: pricing_util.lua:5
local util = require("pricing.util")
return { total = util.for$0mat(1, "EUR") }
