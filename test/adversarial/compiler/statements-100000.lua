-- A 100,000-statement chunk (about 2.5 MB of source).
-- @known event loop held 1952 ms (full run, 2 cores, load average under 3)
-- @expect ok|budget
-- @generate statements 100000
return x
