-- A message handler that raises errors itself, again and again.
-- @expect ok|stack
local r = { xpcall(error, function(m) error(m) end) }
return r[1]
