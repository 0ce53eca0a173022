-- Memory running out inside pcall, then the script goes on as if nothing happened.
-- @known event loop held 40-49 ms in three full runs: passes, within 2-10 ms of the bound; V8's young-generation collections of the tables the script fills its memory with, 10-18 ms each, several in one slice
-- @expect memory
local ok = pcall(function() local t = {} for i = 1, 1e7 do t[i] = { i } end end)
local s = {}
for i = 1, 10 do s[i] = i end
return ok
