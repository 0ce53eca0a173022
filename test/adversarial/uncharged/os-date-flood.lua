-- os.date with a format of 65,536 conversions, in a loop.
-- @known event loop held 34-91 ms (was 254 ms; os.date is resumable now; 6 runs of the case alone, 2 cores, load average 2.6-4.3: 91 ms once, 34-56 ms otherwise)
-- @expect budget
local f = string.rep("%c", 1 << 16)
local n = 0
for i = 1, 1e6 do n = n + #os.date(f, 0) end
return n
