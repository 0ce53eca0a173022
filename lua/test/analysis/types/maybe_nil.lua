-- maybe-nil: possibly-nil values used without a check, and the checks that rule nil out.
local alias = lookup_vendor_alias(input.vendor_name)
local upper = alias:upper() --@ maybe-nil
local len = #alias --@ maybe-nil
local joined = "v: " .. alias --@ maybe-nil
local amount = input.amount
local doubled = amount * 2 --@ maybe-nil
local parsed = tonumber(input.vendor_name)
local plus = parsed + 1 --@ maybe-nil
local city = input.address.city --@ maybe-nil
local first = string.match(input.vendor_name, "%a+")
local shout = first:upper() --@ maybe-nil
-- `...` of the main chunk is the input too.
local data = ...
local tag_count = #data.tags --@ maybe-nil
-- if x then
if alias then
  upper = alias:upper()
end
-- x ~= nil, nil ~= x, and x == nil in the else branch
if amount ~= nil then
  doubled = amount * 2
end
if nil ~= parsed then
  plus = parsed + 1
end
if first == nil then
  shout = ""
else
  shout = first:upper()
end
-- type(x) == "string"
if type(alias) == "string" then
  len = #alias
end
-- x or default
local safe = (alias or ""):upper()
local count = (parsed or 0) + 1
-- x and x.y
local town = input.address and input.address.city
-- field paths read twice with no assignment between
if input.address then
  city = input.address.city
end
if input.amount and input.amount > 10 then
  doubled = input.amount * 3
end
-- assert(x)
local checked = tonumber("12")
assert(checked)
local sum = checked + 1
-- assignments change the type from there on
local later = lookup_vendor_alias("x")
later = later or "none"
local fine = later:upper()
-- called
local notify = input.amount and print
notify("x") --@ maybe-nil
local size = tonumber(input.vendor_name)
local long = size > 10 --@ maybe-nil
print(long, tag_count, upper, len, joined, doubled, plus, city, shout, safe, count, town, sum, fine)
return { normalized_vendor = "x" }
