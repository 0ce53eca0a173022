-- output-shape in tables inside the output, built in constructors or in locals field by field,
-- to any depth; maybe-nil for a required nested field.
if input.amount then
  return { normalized_vendor = "x", address = { city = 1 } } --@ output-shape
end
if input.mode == "fast" then
  return { normalized_vendor = "x", address = { zip = "12345" } } --@ output-shape
end
if input.mode == "slow" then
  return { normalized_vendor = "x", address = { city = "c", town = "t" } } --@ output-shape
end
if input.tags then
  return { normalized_vendor = "x", address = { city = "c", geo = { lat = 100 } } } --@ output-shape
end
local addr = {}
if input.vendor_name == "a" then
  addr.city = 7 --@ output-shape
  local out = { normalized_vendor = "y" }
  out.address = addr
  return out
end
if input.vendor_name == "b" then
  addr.zip = "12345"
  return { normalized_vendor = "y", address = addr } --@ output-shape
end
if input.vendor_name == "c" then
  local place = { city = "c" }
  place.zip = "abc" --@ output-shape
  return { normalized_vendor = "y", address = place }
end
if input.vendor_name == "d" then
  local geo = {}
  geo.lat = "north" --@ output-shape
  local place = { city = "c", geo = geo }
  local out = {}
  out.normalized_vendor = "z"
  out.address = place
  return out
end
local alias = lookup_vendor_alias(input.vendor_name)
return { normalized_vendor = "x", address = { city = alias } } --@ maybe-nil
