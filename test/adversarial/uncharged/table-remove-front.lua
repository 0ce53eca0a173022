-- table.remove from the front of a big table: every call shifts it all.
-- @known event loop held 62-150 ms (6 runs of the case alone, 2 cores, load average 2.6-4.2; table.remove/insert are resumable now: the longest stretch between two clock reads is in the loop filling the 500,000-element table, 20-35 ms, and V8's collector)
-- @expect budget
local t = {}
for i = 1, 500000 do t[i] = i end
for i = 1, 1e6 do table.remove(t, 1) table.insert(t, 1, i) end
return #t
