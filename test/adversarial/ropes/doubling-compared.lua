-- Two huge ropes compared.
-- @known the event loop held 359 ms (measured at load average ~7 on 2 cores)
-- @expect memory
local s, t = "x", "x"
for i = 1, 27 do s = s .. s t = t .. t end
return s == t
