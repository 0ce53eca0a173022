-- load with a native reader that never ends (os.date returns a piece every time).
-- @known took 3564-3677 ms, event loop held 60-67 ms, RSS 113-121 MB above baseline (was 3.1 s held whole): all of it os.date's own, which a plain `while true do os.date() end` shows the same (~100 µs a call charged as a few instructions, RSS +120 MB); load's reader gives the loop its turns now (measured alone 3 times, 2 cores shared, load average 3)
-- @expect budget|memory
-- @contract {"stdlib": {"allow": ["load"]}}
return load(os.date)
