-- Shipping for the parcel, free above 100 after the discount.
local util = require("pricing.util")

local net = util.round_cents(input.amount * (1 - (input.discount or 0)))
if net >= 100 or not input.weight_kg then return { shipping = 0 } end
return { shipping = util.round_cents(carrier.quote(input.weight_kg, input.region)) }
