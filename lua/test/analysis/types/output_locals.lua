-- output-shape on a table built in a local, field by field, on every return path.
local out = {}
if input.amount then
  out.normalized_vendor = "x"
  out.level = "medium" --@ output-shape
  return out
end
if input.mode then
  out.normalized_vendor = "y"
  out.confidence = 2 --@ output-shape
  out.extra = true --@ output-shape
  return out
end
out.count = 1.5 --@ output-shape
return out --@ output-shape
