-- expect definition: sandlua.json
lookup_vendor_al$0ias("x")
