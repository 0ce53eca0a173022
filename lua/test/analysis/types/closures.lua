-- Closures: an upvalue assigned in a nested function is unknown; one never reassigned keeps its type.
local count = nil
local function bump()
  count = 1
end
bump()
local next_count = count + 1
local name = lookup_vendor_alias("x")
local function shout()
  return name:upper() --@ maybe-nil
end
local fixed = lookup_vendor_alias("y") or "none"
local function shout_fixed()
  return fixed:upper()
end
local later = lookup_vendor_alias("z")
later = later or ""
local function shout_later()
  return later:upper()
end
-- Local functions: results inferred from their bodies; parameters unknown.
local function find(key)
  if key == "a" then
    return "found"
  end
end
local found = find("a"):upper() --@ maybe-nil
local function always()
  return "x"
end
local sure = always():upper()
local function field_of(t)
  return t.field.deeper
end
local function guard(v)
  if v == nil then
    return ""
  end
  return v
end
-- A closure made where an upvalue was narrowed keeps the narrowing (the upvalue is never reassigned).
local checked = lookup_vendor_alias("w")
local shout_checked = nil
if checked then
  shout_checked = function()
    return checked:upper()
  end
end
-- A local function that always raises ends the path that calls it.
local function fail(message)
  error(message)
end
local required = lookup_vendor_alias("v")
if not required then
  fail("no alias")
end
local loud = required:upper()
print(next_count, shout(), shout_fixed(), shout_later(), found, sure, field_of({ field = {} }), guard(input.amount), shout_checked, loud)
return { normalized_vendor = "x" }
