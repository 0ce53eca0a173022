-- A 100,000-statement chunk (about 2.5 MB of source).
-- @known compiling the script is not under the clock: 6.7 s for a 3 s limit (depth helper)
-- @expect ok|budget
-- @generate statements 100000
return x
