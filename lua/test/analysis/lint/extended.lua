-- A script that adds to a library may use what it added.
function string.trim(text) return (text:gsub("^%s+", "")) end
local t = string.trim("  x")
local v = ("  y"):trim()
local other = string.strip(" z") --@ unknown-member
print(t, v, other)
