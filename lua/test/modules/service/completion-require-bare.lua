-- expect completion: pricing.util pricing.tax pricing.ghost
local tax = require '$0'
