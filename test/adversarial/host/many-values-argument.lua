-- An argument of 900,000 values: converted and charged.
-- @known host arguments are converted uncharged: 3.6 s, event loop held 1.3 s (wire helper)
-- @expect ok|budget
-- @host size=size
local t = {}
for i = 1, 900000 do t[i] = i end
return size(t)
