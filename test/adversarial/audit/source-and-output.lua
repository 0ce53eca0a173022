-- The source and the output edited together (the hash left): the hash tells.
-- @mode replay
-- @tamper source-and-output
-- @expect diverged
-- @host fetch=echo
-- @input {"a": 1, "b": 2}
local v = fetch("first")
local w = fetch("second")
local t = os.time()
return { answer = 41, a = input.a, v = v, w = w, t = type(t), r = math.random(1000) }
