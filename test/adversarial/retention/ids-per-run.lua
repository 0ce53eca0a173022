-- tostring({}) shows an address: the same in each run, whatever other runs made.
-- @mode isolation
-- @expect same
return tostring({}) .. " " .. tostring(function() end)
