-- expect hover: module pricing.util
-- expect hover: `lib/pricing_util.lua`, declared by **pricing**
-- expect hover: - `format(amount, currency)` — The amount with its currency, two decimals.
-- expect hover: - `VERSION: integer`
-- expect hover: - `:describe(verbose, ...)`
local util = requ$0ire("pricing.util")
