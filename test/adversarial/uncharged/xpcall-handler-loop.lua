-- An xpcall message handler that never returns.
-- @ci
-- @expect budget
return xpcall(error, function(m) while true do end end)
