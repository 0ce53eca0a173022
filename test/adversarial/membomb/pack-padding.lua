-- string.pack of a billion-byte fixed string.
-- @expect memory|runtime
return #string.pack("c1000000000", "")
