-- Host functions: granted, not granted, with wrong arguments.
local v = lookup_vendor_alias(input.vendor_name)
send_mail("boss") --@ ungranted-host
lookup_vendr_alias("x") --@ ungranted-host
tools.emit_note("x") --@ ungranted-host
lookup_vendor_alias(1) --@ host-args
lookup_vendor_alias("a", "b") --@ host-args
lookup_vendor_alias() --@ host-args
kb.search("q", 1.5) --@ host-args
kb.search("q", 10)
kb.search("q")
local f = lookup_vendor_alias
f("alias")
tools.emit_review_note(nil) --@ host-args
return { normalized_vendor = v or "" }
