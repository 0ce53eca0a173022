-- The host returns 100,000 nested arrays.
-- @expect host
-- @known event loop held 69-70 ms (two full runs, load average ~1): the host function itself holds it building 100,000 nested arrays (45 ms alone in a fresh process); the sandbox refuses the value at depth 100 without converting more
-- @host h=deep
return h()
