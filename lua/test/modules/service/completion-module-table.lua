-- expect completion: rate DEFAULT names
local tax = require "pricing.tax"
local r = tax.$0
