local a = = 1
print(a b)
function f(x,) return x end
if a then
  local t = {1 2}
end
goto
local ok = 3
