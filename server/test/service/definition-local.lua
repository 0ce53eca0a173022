-- expect definition: 2
local count = 1
local doubled = cou$0nt * 2
