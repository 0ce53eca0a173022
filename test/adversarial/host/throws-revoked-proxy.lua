-- The host throws a revoked Proxy.
-- @expect host
-- @host h=throwsProxy
return h()
