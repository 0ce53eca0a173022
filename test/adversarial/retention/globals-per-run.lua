-- A global one run writes is not seen by the next run of the same script.
-- @mode isolation
-- @expect same
local seen = SHARED
SHARED = (SHARED or 0) + 1
string.extra = "leak"
return { seen = seen or "none", extra = string.extra }
