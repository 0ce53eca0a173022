-- The host's promise never settles: the time limit ends the run.
-- @expect budget
-- @host h=never
return h()
