-- The host throws an Error with a 100 MB message: the message is cut.
-- @known the event loop held 2208 ms (measured at load average ~7 on 2 cores)
-- @expect host
-- @host h=throwsHuge
return h()
