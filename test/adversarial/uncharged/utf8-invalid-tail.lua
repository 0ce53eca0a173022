-- utf8.len of a long valid string with a bad last byte: scanned to the end each time.
-- @known event loop held 14-62 ms (was 98 ms; utf8.len is resumable now; 7 runs, 2 cores, load average 2.6-4.4: over 50 ms once)
-- @expect budget
local s = string.rep("a", 1 << 21) .. "\xff"
local n = 0
for i = 1, 1e6 do if not utf8.len(s) then n = n + 1 end end
return n
