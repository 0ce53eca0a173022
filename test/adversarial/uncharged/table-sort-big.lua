-- table.sort of a big table with a Lua comparator, again and again.
-- @known event loop held 34-64 ms (was 351 ms; table.sort is resumable now; 6 runs of the case alone, 2 cores, load average 2.6-4.3; the sandbox's memory pass over the 300,000-element table takes up to 17 ms of it)
-- @expect budget
local t = {}
for i = 1, 300000 do t[i] = (i * 7919) % 300007 end
for i = 1, 100 do table.sort(t, function(a, b) return a > b end) table.sort(t) end
return t[1]
