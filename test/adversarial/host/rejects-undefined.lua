-- The host's promise is rejected with undefined.
-- @expect host
-- @host h=rejects
return h()
