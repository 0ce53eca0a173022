-- Normalizes the vendor of one invoice line.
-- Input:  { vendor_name = "ACME Corp.", amount = 1200.5 }
-- Output: { normalized_vendor = "Acme", confidence = 0.95 }

local SUFFIXES = { "inc", "incorporated", "corp", "corporation", "llc", "ltd", "gmbh", "co" }

-- Lower-case, strip punctuation and legal suffixes, collapse spaces.
local function clean(name)
  local s = name:lower():gsub("[%p]", " ")
  local words = {}
  for word in s:gmatch("%S+") do
    words[#words + 1] = word
  end
  while #words > 1 do
    local last, stripped = words[#words], false
    for _, suffix in ipairs(SUFFIXES) do
      if last == suffix then
        words[#words] = nil
        stripped = true
        break
      end
    end
    if not stripped then break end
  end
  return table.concat(words, " ")
end

local function title_case(s)
  return (s:gsub("(%a)([%w']*)", function(first, rest)
    return first:upper() .. rest
  end))
end

local raw = input.vendor_name
local canonical = lookup_vendor_alias(raw)
if canonical then return { normalized_vendor = canonical, confidence = 0.95 } end

local cleaned = clean(raw)
if cleaned == "" then
  tools.emit_review_note("vendor name has no letters: " .. raw)
  return { normalized_vendor = raw, confidence = 0.0 }
end

if input.amount and input.amount >= 10000 then
  tools.emit_review_note(string.format("large amount %.2f for unknown vendor %q", input.amount, raw))
end

return { normalized_vendor = title_case(cleaned), confidence = 0.6 }
