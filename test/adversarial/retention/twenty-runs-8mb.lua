-- Twenty different scripts, one after another, each holding 8 MB in a global a function reads.
-- @mode retention
-- @runs 20
-- @expect ok
T = {}
for i = 1, 8 do T[i] = string.rep(string.char(64 + i), 1 << 20) .. RUN end
local function size() local n = 0 for _, s in ipairs(T) do n = n + #s end return n end
return size() > 0
