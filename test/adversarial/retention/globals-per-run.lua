-- A global one run writes is not seen by the next run of the same script.
-- @known the event loop held 60 ms (measured at load average ~7 on 2 cores)
-- @mode isolation
-- @expect same
local seen = SHARED
SHARED = (SHARED or 0) + 1
string.extra = "leak"
return { seen = seen or "none", extra = string.extra }
