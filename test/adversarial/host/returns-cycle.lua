-- The host returns an object that contains itself.
-- @ci
-- @expect host
-- @host h=cycle
return h()
