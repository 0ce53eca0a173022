-- Memory running out inside pcall, then the script goes on as if nothing happened.
-- @known small tables fill 64 MB slowly under the memory passes: budget by time at 3.1 s, event loop held ~280 ms (acct helper)
-- @expect memory
local ok = pcall(function() local t = {} for i = 1, 1e7 do t[i] = { i } end end)
local s = {}
for i = 1, 10 do s[i] = i end
return ok
