-- output-shape on lists in the output: items against `items`, minItems/maxItems on a known
-- count, table.insert and t[#t + 1] on a fresh local, and what a table becomes in JSON.
if input.amount then
  return { normalized_vendor = "x", tags = { "a", 1 } } --@ output-shape
end
if input.mode == "fast" then
  return { normalized_vendor = "x", tags = { "a", "b", "c", "d" } } --@ output-shape
end
if input.mode == "slow" then
  return { normalized_vendor = "x", tags = { "much too long" } } --@ output-shape
end
local list = { "first" }
if input.tags then
  table.insert(list, 5) --@ output-shape
  return { normalized_vendor = "x", tags = list }
end
if input.vendor_name == "a" then
  list[#list + 1] = true --@ output-shape
  return { normalized_vendor = "x", tags = list }
end
if input.vendor_name == "b" then
  return { normalized_vendor = "x", tags = {} }
end
if input.vendor_name == "c" then
  return { normalized_vendor = "x", tags = { first = "a" } } --@ output-shape
end
if input.vendor_name == "d" then
  return { normalized_vendor = "x", address = { "Main St", "Springfield" } } --@ output-shape
end
if input.vendor_name == "e" then
  return { normalized_vendor = "x", lines = { { qty = 2 } } } --@ output-shape
end
if input.vendor_name == "f" then
  local line = { sku = "a" }
  line.qty = 0 --@ output-shape
  local lines = {}
  table.insert(lines, line)
  return { normalized_vendor = "x", lines = lines }
end
local out = { normalized_vendor = "x" }
out.lines = {} --@ output-shape
return out
