-- A 100,000-statement chunk (about 2.5 MB of source).
-- @expect ok|budget
-- @generate statements 100000
return x
