-- expect definition: tax.lua:1
local tax = require "pricing.t$0ax"
