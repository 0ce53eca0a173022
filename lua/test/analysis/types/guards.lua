-- Guards: an early return, error, break or goto in a test narrows the rest of the block.
local function by_return()
  local a = lookup_vendor_alias("1")
  if not a then
    return ""
  end
  return a:upper()
end
local function by_error()
  local a = lookup_vendor_alias("2")
  if a == nil then
    error("no alias")
  end
  return a:upper()
end
local function by_type()
  local a = lookup_vendor_alias("3")
  if type(a) ~= "string" then
    return ""
  end
  return a:upper()
end
local function by_either()
  local a = lookup_vendor_alias("4")
  if not a or a == "" then
    return ""
  end
  return a:upper()
end
local function by_goto()
  local a = lookup_vendor_alias("5")
  if not a then
    goto done
  end
  print(a:upper())
  ::done::
  return a
end
local function no_guard()
  local a = lookup_vendor_alias("6")
  if not a then
    print("none")
  end
  return a:upper() --@ maybe-nil
end
local function wrong_guard()
  local a = lookup_vendor_alias("7")
  if a then
    return a
  end
  return a:upper() --@ type-mismatch
end
local function checked_first()
  local a = lookup_vendor_alias("8")
  if a and #a > 3 then
    return a:upper()
  end
  return ""
end
print(by_return(), by_error(), by_type(), by_either(), by_goto(), no_guard(), wrong_guard(), checked_first())
return { normalized_vendor = "x" }
