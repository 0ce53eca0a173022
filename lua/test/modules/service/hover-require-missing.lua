-- expect hover: **The file does not exist**
local g = require("pricing.gh$0ost")
