-- expect completion: address amount vendor_name
local v = input.$0
