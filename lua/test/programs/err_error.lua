-- error() with a table value, uncaught
local function validate(x)
  if type(x) ~= "number" then error({ code = 42 }) end
end
function check(list)
  for i = 1, #list do
    validate(list[i])
  end
end
check({ 1, 2, "three" })
