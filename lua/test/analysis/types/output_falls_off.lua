-- A script that returns its output on some paths only: falling off the end returns nothing.
if input.amount then
  return { normalized_vendor = "x" }
end
if input.mode then
  return --@ output-shape
end
print("no output") --@ output-shape
