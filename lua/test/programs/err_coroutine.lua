-- an error inside a coroutine resumed through wrap propagates with position
local gen = coroutine.wrap(function()
  coroutine.yield(1)
  local t = nil
  return t.x
end)
print(gen())
print(gen())
