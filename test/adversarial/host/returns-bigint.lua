-- The host returns a BigInt.
-- @expect host
-- @host h=bigint
return h()
