-- expect completion: city
local address = input.address
local c = address.$0
