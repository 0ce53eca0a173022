-- expect signature: join(sep, ...) / 1
local join = function(sep, ...) return table.concat({ ... }, sep) end
return { normalized_vendor = join(",", "a", $0) }
