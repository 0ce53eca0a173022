-- A malformed pattern (an unfinished class) of a megabyte: an error naming it, quickly.
-- @known the event loop held 86 ms (measured at load average ~7 on 2 cores)
-- @expect runtime
return ("x"):find("[" .. string.rep("%a", 500000))
