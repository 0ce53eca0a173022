-- Loops that never end, and loops that end or are bounded by their consumer.
local n = 0
while 1 do --@ unbounded-loop
  n = n + 1
end
while "forever" do --@ unbounded-loop
  n = n + 1
end
while {} do --@ unbounded-loop
  n = n + 1
end
while not nil do --@ unbounded-loop
  n = n + 1
end
repeat n = n - 1 until nil --@ unbounded-loop
while true do
  if n > 3 then os.exit(0) end
end
local gen = coroutine.wrap(function()
  local i = 0
  while true do
    i = i + 1
    coroutine.yield(i)
  end
end)
local yield = coroutine.yield
local gen2 = coroutine.wrap(function()
  repeat yield(1) until false
end)
while n < 10 do n = n + 1 end
print(gen(), gen2())
