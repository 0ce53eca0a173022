-- Loops: iterated to a fixpoint; a value set in some iterations only may be nil after the loop.
local found
for _, tag in ipairs(input.tags or {}) do
  if tag == "vip" then
    found = tag
  end
end
local upper = found:upper() --@ maybe-nil
local total = 0
for i = 1, 10 do
  total = total + i
end
local half = total / 2
local line = lookup_vendor_alias("x")
while line do
  print(line:upper())
  line = lookup_vendor_alias(line)
end
local last = nil
repeat
  last = tonumber(input.vendor_name)
until last
local following = last + 1
while true do
  local value = lookup_vendor_alias("y")
  if not value then
    break
  end
  print(value:upper())
end
-- A table that keeps growing is widened to unknown: nothing is claimed about it.
local chain = {}
for _ = 1, 3 do
  chain = { previous = chain }
end
local deep = chain.previous.previous.previous
local maybe = lookup_vendor_alias("z")
for _ = 1, 2 do
  maybe = maybe:lower() --@ maybe-nil
end
print(upper, half, following, deep, maybe)
return { normalized_vendor = "x" }
