-- expect definition: pricing_util.lua:1
local util = require("pricing.u$0til")
