-- expect hover: local function helper
local function helper() return 1 end
local v = hel$0per()
