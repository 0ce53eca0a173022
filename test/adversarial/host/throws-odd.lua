-- The host throws a value whose toString throws.
-- @expect host
-- @host h=throwsOdd
return h()
