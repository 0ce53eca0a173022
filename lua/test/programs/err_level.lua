-- error() with level 2 blames the caller; through a global function and a field
local M = {}
function M.assert_positive(n)
  if n <= 0 then error("expected a positive number, got " .. n, 2) end
  return n
end
function run(values)
  local total = 0
  for _, v in ipairs(values) do
    total = total + M.assert_positive(v)
  end
  return total
end
print(run({ 1, 2, 3 }))
print(run({ 1, -2 }))
