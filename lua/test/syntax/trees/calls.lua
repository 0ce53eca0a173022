print("hello")
obj:method(1, 2)
f"str" {1} [[long]]
a.b["c"]:d():e {}
local v = (f)(...)
local w = function(...) return ... end
