-- The host returns a 200 MB string.
-- @known ended budget, expected memory|host: time limit of 3000 ms exceeded; took 4527 ms, over timeMs + 100; event loop held 4527 ms (full run, 2 cores, load average under 3)
-- @expect memory|host
-- @host h=hugeString
local s = h()
return #s
