-- load with a native reader that never ends (os.date returns a piece every time).
-- @known load's native reader is uncharged: 3.17 s for a 3 s limit, 67 MB left behind (depth helper)
-- @expect budget|memory
-- @contract {"stdlib": {"allow": ["load"]}}
return load(os.date)
