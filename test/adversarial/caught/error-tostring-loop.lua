-- An error object whose __tostring never returns: the message is made without running it.
-- @expect runtime
error(setmetatable({}, { __tostring = function() while true do end end }))
