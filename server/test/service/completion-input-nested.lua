-- expect completion: city
local c = input.address.$0
