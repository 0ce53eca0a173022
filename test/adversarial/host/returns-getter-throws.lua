-- The host returns an object whose getter throws.
-- @expect host
-- @host h=getter
return h()
