-- expect completion: search
local r = kb.$0
