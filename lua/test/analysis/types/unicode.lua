-- Names and strings beyond ASCII are compared as the runtime compares them: as UTF-8 text, a
-- character (not a byte) at a time.
local price = input["café"]
local doubled = price * 2 --@ maybe-nil
local typo = input["cafè"] --@ unknown-input-field
tools.emit_review_note("éééééééééééééééééééé")
tools.emit_review_note("ééééééééééééééééééééé") --@ host-args
local out = { normalized_vendor = "ü", saison = "été" }
out["résumé"] = "éééé"
if input.amount then
  return out
end
out["résumé"] = "ééééé" --@ output-shape
out.saison = "printemps" --@ output-shape
print(doubled, typo)
return out
