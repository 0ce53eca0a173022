-- Coroutines kept alive, each holding a big string on its stack.
-- @known memory held this way is not caught before the clock: budget after 3 s, event loop held 100-700 ms (accounting: acct helper)
-- @expect memory
local t = {}
for i = 1, 200 do
  local co = coroutine.create(function(s) coroutine.yield(s) end)
  coroutine.resume(co, string.rep("k", 1 << 20) .. i)
  t[i] = co
end
return #t
