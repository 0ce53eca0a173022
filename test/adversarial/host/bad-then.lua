-- The host returns a thenable whose then throws.
-- @expect host
-- @host h=badThen
return h()
