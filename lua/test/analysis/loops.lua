-- Loops without a way out, and loops with one.
local n = 0
while true do --@ unbounded-loop
  n = n + 1
end
while true do
  n = n + 1
  if n > 10 then break end
end
repeat n = n - 1 until false --@ unbounded-loop
while true do --@ unbounded-loop
  for i = 1, 3 do
    if i == 2 then break end
  end
end
local function f()
  while true do
    if n > 3 then return n end
  end
end
while true do
  if n > 5 then error("too many") end
end
return { normalized_vendor = tostring(f()) }
