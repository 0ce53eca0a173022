-- Normalizes one vendor name (a Sandlua script: input in, output out).
local SUFFIXES = { "inc", "corp", "llc" }

local function clean(name)
  local s = name:lower():gsub("[%p]", " ")
  local words = {}
  for word in s:gmatch("%S+") do
    words[#words + 1] = word
  end
  return table.concat(words, " ")
end

local ok, alias = pcall(lookup_vendor_alias, input.vendor_name)
if ok and alias then
  return { normalized_vendor = alias, confidence = 0.95 }
end
tools.emit_review_note(string.format("unknown vendor %q", input.vendor_name))
return { normalized_vendor = clean(input.vendor_name), confidence = 0.6 }
