-- A frontier and a lazy item over a long subject with no match.
-- @known event loop held 20-57 ms (was 89 ms; the matcher is resumable now; 7 runs, 2 cores, load average 2.4-4.4: over 50 ms twice (57, 93), both in the run's first slices, before the matcher is optimised)
-- @expect ok|budget
local s = string.rep("ab", 200000)
return s:find("%f[%w].-%f[%W]z")
