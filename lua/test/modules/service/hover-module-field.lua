-- expect hover: pricing.tax.rate(region)
-- expect hover: The rate of a region.
local tax = require "pricing.tax"
return { total = tax.ra$0te("EU") }
