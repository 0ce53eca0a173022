-- expect rename error: cannot be renamed
lookup_vendor_al$0ias("x")
