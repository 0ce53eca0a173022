-- A table passed on (to a function, aliased, written with a computed key) may have any fields:
-- no missing field is claimed on it.
local out = {}
local function fill(t)
  t.normalized_vendor = "x"
end
fill(out)
if input.amount then
  return out
end
local other = { confidence = 0.5 }
local alias = other
alias.normalized_vendor = "y"
if input.mode then
  return other
end
local keyed = {}
local key = "normalized_vendor"
keyed[key] = "z"
if input.tags then
  return keyed
end
local built = { normalized_vendor = "w" }
built.count = 3
return built
