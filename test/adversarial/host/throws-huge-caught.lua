-- The host throws a 100 MB message and the script catches it: what it sees is cut too.
-- @known a host error's message reaches the script uncut (100 MB), past the memory limit (wire helper)
-- @expect ok
-- @output true
-- @host h=throwsHuge
local ok, e = pcall(h)
return not ok and #tostring(e) < 70000
