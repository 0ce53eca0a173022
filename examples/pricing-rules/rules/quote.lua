-- Net price after the discount, tax for the region, and the total.
local util = require("pricing.util")

local rate = util.tax_rate(input.region) or 0
local net = util.round_cents(input.amount * (1 - (input.discount or 0)))
local tax = util.round_cents(net * rate)
return { net = net, tax = tax, total = util.round_cents(net + tax) }
