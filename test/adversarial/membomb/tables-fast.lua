-- A million tables of a hundred slots each.
-- @known ends memory now (was budget), but took 4363-5719 ms and held the loop 1251-1794 ms: the collector's mark pass over 166,000 tables, at the last measures and the one at the end (measured alone 3-5 times, 2 cores shared, load average 4-10)
-- @expect memory
local t = {}
for i = 1, 1e6 do t[i] = table.pack(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20) end
return #t
