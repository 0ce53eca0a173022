-- A failed run's record turned into a success.
-- @ci
-- @mode replay
-- @tamper error-to-ok
-- @expect diverged
error("it failed")
