-- Input fields and output shapes.
local n = input.vendr_name --@ unknown-input-field
local city = input.address.citty --@ unknown-input-field maybe-nil
local ok = input.address.city --@ maybe-nil
local inp = input
local amount = inp.amout --@ unknown-input-field
if n then
  return { normalized_vendor = 1 } --@ output-shape
end
if city then
  return { normalized_vendor = "x", extra = true } --@ output-shape
end
if ok then
  return { normalized_vendor = "x", count = 1.5 } --@ output-shape
end
return { confidence = amount } --@ output-shape
