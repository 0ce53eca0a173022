-- A million tables of a hundred slots each.
-- @known event loop held 52-76 ms (was 191-278 ms; three runs alone and two full runs, load average 1-2): what is left is V8's own collection of the young generation (20-25 ms a time, back to back); the measure that finds the limit passed when the budget runs out is made in slices now
-- @expect memory
local t = {}
for i = 1, 1e6 do t[i] = table.pack(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20) end
return #t
