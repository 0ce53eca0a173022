-- Two huge ropes compared.
-- @known event loop held 313 ms (full run, 2 cores, load average under 3)
-- @expect memory
local s, t = "x", "x"
for i = 1, 27 do s = s .. s t = t .. t end
return s == t
