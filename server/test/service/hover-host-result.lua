-- expect hover: local alias: string?
-- expect hover: from the result of host function `lookup_vendor_alias` (`string?`: may be nil)
local al$0ias = lookup_vendor_alias(input.vendor_name)
return { normalized_vendor = alias or "" }
