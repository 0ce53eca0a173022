local util = require("pricing.util")
local tax = require "pricing.tax"
local alias = require
local x = alias("pricing.utl") --@ unknown-module
local y = require("nope") --@ unknown-module
local z = require("pricing.ghost") --@ unknown-module
local s = require("string")
local d = require("debug") --@ forbidden
local name = "pricing." .. "util"
local w = require(name)
print(x, y, z, s, d, w)
return { total = util.round(tax.rate("EU")) }
