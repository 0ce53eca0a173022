-- tostring({}) shows an address: the same in each run, whatever other runs made.
-- @ci
-- @mode isolation
-- @expect same
return tostring({}) .. " " .. tostring(function() end)
