-- A coroutine in the output.
-- @expect output
return { co = coroutine.create(function() end) }
