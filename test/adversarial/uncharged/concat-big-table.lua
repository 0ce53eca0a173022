-- table.concat of a 200,000-element table, again and again.
-- @known event loop held 31-95 ms (was 152 ms; table.concat is resumable now; 7 runs, 2 cores, load average 2.6-4.3: 65 and 95 ms once each; the sandbox's memory pass over the 200,000 strings takes up to 35 ms of it)
-- @expect budget
local t = {}
for i = 1, 200000 do t[i] = "ab" end
local n = 0
for i = 1, 1e6 do n = n + #table.concat(t, ",") end
return n
