-- The host returns 100,000 nested arrays.
-- @expect host
-- @host h=deep
return h()
