-- Helpers the pricing rules share: rounding to cents, and the tax rate of a region from
-- data/rates.csv (a file the contract declares), read once per run.
local M = {}

--- An amount rounded to whole cents.
function M.round_cents(amount)
  return math.floor(amount * 100 + 0.5) / 100
end

local rates

--- The tax rate of a region ("eu", "us", ...), or nil when the table has none.
function M.tax_rate(region)
  if rates == nil then
    rates = {}
    for line in io.lines("data/rates.csv") do
      local name, rate = line:match("^(%a+),([%d.]+)$")
      if name then rates[name] = tonumber(rate) end
    end
  end
  return rates[region]
end

return M
