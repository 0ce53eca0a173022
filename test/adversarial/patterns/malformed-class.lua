-- A malformed pattern (an unfinished class) of a megabyte: an error naming it, quickly.
-- @expect runtime
return ("x"):find("[" .. string.rep("%a", 500000))
