-- The host's promise never settles: the time limit ends the run.
-- @known the event loop held 50 ms (measured at load average ~7 on 2 cores)
-- @expect budget
-- @host h=never
return h()
