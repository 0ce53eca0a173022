-- traceback through tail calls and a pcall boundary
local function inner(x)
  return x.field
end
local function middle(x)
  return inner(x)
end
local function outer(x)
  local r = middle(x)
  return r
end
print(pcall(outer, nil))
outer(nil)
