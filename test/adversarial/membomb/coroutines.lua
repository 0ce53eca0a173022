-- Coroutines kept alive, each holding a big string on its stack.
-- @expect memory
local t = {}
for i = 1, 200 do
  local co = coroutine.create(function(s) coroutine.yield(s) end)
  coroutine.resume(co, string.rep("k", 1 << 20) .. i)
  t[i] = co
end
return #t
