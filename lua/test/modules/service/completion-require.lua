-- expect completion: pricing.util pricing.tax pricing.ghost
local util = require("pricing.$0")
