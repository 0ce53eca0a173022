-- output-shape and maybe-nil on the values returned, through narrowing.
local alias = lookup_vendor_alias(input.vendor_name)
if input.amount then
  return { normalized_vendor = alias } --@ maybe-nil
end
if alias then
  return { normalized_vendor = alias, confidence = 0.5 }
end
local level = "top"
if input.mode == "fast" then
  return { normalized_vendor = "x", level = level } --@ output-shape
end
local note = "a long note here"
if input.mode == "slow" then
  return { normalized_vendor = "x", note = note } --@ output-shape
end
if input.tags then
  return { normalized_vendor = "x", count = input.vendor_name } --@ output-shape
end
local result = { normalized_vendor = input.vendor_name, count = 3, level = "low", note = "short" }
return result
