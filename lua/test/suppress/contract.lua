-- Contract findings silenced where the author judged them, and comments that silence nothing.
local name = input.vendor_name
-- sandlua: disable-next-line unknown-input-field -- read by the next version of the contract
local region = input.regoin
local alias = lookup_vendor_alias(name) -- sandlua: disable-line ungranted-host --@ unused-suppression
local total = input.amount + 1
-- sandlua: disable ungranted-host
lookup_vendor_alais(alias)
lookup_vendr_alias(alias)
-- sandlua: enable ungranted-host
lookup_vendr_alias(alias) --@ ungranted-host
---@diagnostic disable-next-line: forbidden, lowercase-global
os.execute(region)
-- sandlua: disable-next-line forbiden --@ unused-suppression
os.remove(total) --@ forbidden
return { alias = alias, total = total }
