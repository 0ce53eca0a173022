-- gsub that replaces every byte of a short string with a megabyte.
-- @known the event loop held 52 ms (measured at load average ~7 on 2 cores)
-- @expect memory
local big = string.rep("y", 1 << 20)
return #(string.rep("x", 1000):gsub(".", big))
