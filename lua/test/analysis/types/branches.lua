-- Conditions that tell nothing of a local (a comparison, a call): what one branch assigns stays
-- in that branch, and after an `if` without `else` or a loop the local may still be as before.
local count = #input.vendor_name
local label = nil
if count > 3 then
  label = "long"
end
local shout = label:upper() --@ maybe-nil
local other = nil
if count > 3 then
  other = 1
elseif count > 1 then
  print(other + 1) --@ type-mismatch
end
local tail = nil
while count > 100 do
  tail = "x"
  count = count - 1
end
local last = tail:upper() --@ maybe-nil
local both
if count > 3 then
  both = "a"
else
  both = "b"
end
print(shout, last, both:upper())
return { normalized_vendor = "x" }
