-- expect completion: format round VERSION describe helper_alias
local util = require("pricing.util")
local s = util.$0
