-- The host returns an object that contains itself.
-- @expect host
-- @host h=cycle
-- @ci
return h()
