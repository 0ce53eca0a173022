-- Ordinary pattern work next to the bombs: it runs, with the right answer.
-- @expect ok
-- @output [3,"key=value","2026"]
local words = 0
for _ in ("one two three"):gmatch("%a+") do words = words + 1 end
local kv = ("  key = value "):gsub("%s*(%w+)%s*=%s*(%w+)%s*", "%1=%2")
return { words, kv, ("date: 2026-12-02"):match("(%d+)%-") }
