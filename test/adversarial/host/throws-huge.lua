-- The host throws an Error with a 100 MB message: the message is cut.
-- @known event loop held 1040 ms (full run, 2 cores, load average under 3)
-- @expect host
-- @host h=throwsHuge
return h()
