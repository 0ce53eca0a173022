-- The random seed edited.
-- @known event loop held 67 ms (full run, 2 cores, load average under 3)
-- @mode replay
-- @tamper seed
-- @expect diverged
-- @host fetch=echo
-- @input {"a": 1, "b": 2}
local v = fetch("first")
local w = fetch("second")
local t = os.time()
return { answer = 41, a = input.a, v = v, w = w, t = type(t), r = math.random(1000) }
