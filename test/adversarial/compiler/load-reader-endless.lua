-- load with a native reader that never ends (os.date returns a piece every time).
-- @known took 3148-3415 ms, event loop held 287-463 ms, RSS 45-56 MB above baseline (was 3.1 s held whole, 105-219 MB): the reader gives the loop its turns now; os.date itself costs ~130 µs a call, charged as a few instructions (measured alone 3-5 times, 2 cores shared, load average 4-10)
-- @expect budget|memory
-- @contract {"stdlib": {"allow": ["load"]}}
return load(os.date)
