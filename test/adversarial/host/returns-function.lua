-- The host returns a function.
-- @expect host|ok
-- @host h=fn
return h()
