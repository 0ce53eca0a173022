-- host-args on inferred types and on the contract's constraints; maybe-nil into a parameter.
local amount = input.amount
local name = input.vendor_name
local alias = lookup_vendor_alias(name)
lookup_vendor_alias(42) --@ host-args
lookup_vendor_alias(input.tags) --@ host-args
if amount then
  lookup_vendor_alias(amount * 2) --@ host-args
end
lookup_vendor_alias(alias) --@ maybe-nil
lookup_vendor_alias(alias or name)
tools.emit_review_note("this note is far too long for the contract") --@ host-args
local short = "ok"
tools.emit_review_note(short)
local long = "this one is also much longer than twenty"
tools.emit_review_note(long) --@ host-args
score(250) --@ host-args
score(-1) --@ host-args
score(50)
local results = kb.search(name, 5)
local top = results[1]
local title = top.title:upper()
kb.search(name, 2.5) --@ host-args
local alias_of = lookup_vendor_alias
alias_of(true) --@ host-args
tools.emit_review_note(nil) --@ host-args
set_level("medium") --@ host-args
set_level("low")
local level = "urgent"
set_level(level) --@ host-args
set_level(input.vendor_name)
-- A table of literals is checked as the JSON it crosses as.
tag_all({ "a", 2 }) --@ host-args
tag_all({ "a", "b" })
print(title)
return { normalized_vendor = name }
