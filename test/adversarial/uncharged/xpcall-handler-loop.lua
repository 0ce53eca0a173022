-- An xpcall message handler that never returns.
-- @expect budget
return xpcall(error, function(m) while true do end end)
