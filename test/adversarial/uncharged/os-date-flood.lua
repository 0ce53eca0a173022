-- os.date with a format of 65,536 conversions, in a loop.
-- @known event loop held 41-56 ms (was 254 ms; os.date is resumable now; 3 runs of the case alone, 2 cores, load average 3.4-4.3)
-- @expect budget
local f = string.rep("%c", 1 << 16)
local n = 0
for i = 1, 1e6 do n = n + #os.date(f, 0) end
return n
