-- expect completion: format round describe helper_alias
local util = require("pricing.util")
util:$0
