-- The host throws an Error with a 100 MB message: the message is cut.
-- @expect host
-- @host h=throwsHuge
return h()
