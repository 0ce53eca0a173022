-- tostring({}) shows an address: the same in each run, whatever other runs made.
-- @known tostring ids come from a process-wide counter: table: 0x55550010 then 0x55550030 (depth helper)
-- @mode isolation
-- @expect same
return tostring({}) .. " " .. tostring(function() end)
