-- load with a native reader that never ends (os.date returns a piece every time).
-- @known took 3103 ms, over timeMs + 100; event loop held 3103 ms; RSS 219 MB above baseline after the run (full run, 2 cores, load average under 3)
-- @expect budget|memory
-- @contract {"stdlib": {"allow": ["load"]}}
return load(os.date)
