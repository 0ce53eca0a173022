-- gsub that replaces every byte of a short string with a megabyte.
-- @expect memory
local big = string.rep("y", 1 << 20)
return #(string.rep("x", 1000):gsub(".", big))
