-- Twenty different scripts, one after another, each holding 8 MB in a global a function reads.
-- @known event loop held 58-60 ms (a full run and two runs alone, 2 cores, load average 1-2; 0.7 s while the collector sampled every long string)
-- @mode retention
-- @runs 20
-- @expect ok
T = {}
for i = 1, 8 do T[i] = string.rep(string.char(64 + i), 1 << 20) .. RUN end
local function size() local n = 0 for _, s in ipairs(T) do n = n + #s end return n end
return size() > 0
