-- Tables in the output that may have changed since they were stored (passed to a function, used
-- through another name, read back out, written with a computed key, filled in a loop or a
-- closure), values of unknown type, and narrowed values: nothing is claimed about them.
local function fill(t)
  t.city = "filled"
end
if input.amount then
  local addr = {}
  local out = { normalized_vendor = "y", address = addr }
  fill(addr)
  return out
end
if input.mode == "fast" then
  local addr = {}
  local out = { normalized_vendor = "y" }
  out.address = addr
  addr.city = "late"
  return out
end
if input.mode == "slow" then
  local out = { normalized_vendor = "y", address = {} }
  out.address.city = "set later"
  return out
end
local keyed = {}
keyed[input.vendor_name] = 1
if input.vendor_name == "a" then
  return { normalized_vendor = "x", tags = keyed }
end
local other = {}
local alias = other
alias[1] = "fine"
if input.vendor_name == "b" then
  return { normalized_vendor = "x", tags = other }
end
local grown = {}
local function grow()
  grown[1] = "x"
end
grow()
if input.vendor_name == "c" then
  return { normalized_vendor = "x", tags = grown }
end
local pair = { input.vendor_name, input.mode }
if input.vendor_name == "d" then
  return { normalized_vendor = "x", tags = pair, address = { city = input.vendor_name, zip = input.mode } }
end
local holder = { address = {} }
local inner = holder.address
inner.city = "x"
if input.vendor_name == "e" then
  return { normalized_vendor = "x", address = holder.address }
end
local counted = {}
for i = 1, 3 do
  counted[#counted + 1] = i
end
if input.vendor_name == "f" then
  return { normalized_vendor = "x", tags = counted, count = 2.0, note = nil }
end
local found = lookup_vendor_alias(input.vendor_name)
if found then
  return { normalized_vendor = "x", address = { city = found }, tags = { found } }
end
local parsed = tonumber(input.vendor_name)
if parsed then
  return { normalized_vendor = "x", address = { city = "c", geo = { lat = parsed } }, lines = { { sku = "a", qty = parsed } } }
end
local out = {}
out.normalized_vendor = "z"
out.address = { city = "q" }
local read = out.address
read.city = "r"
return out
