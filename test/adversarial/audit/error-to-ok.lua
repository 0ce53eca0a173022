-- A failed run's record turned into a success.
-- @mode replay
-- @tamper error-to-ok
-- @expect diverged
error("it failed")
