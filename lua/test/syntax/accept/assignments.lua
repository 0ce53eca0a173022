-- §3.3.3: multiple assignment, fields and indexes
a, b, c = 1, 2
a, b = b, a
t = {}
t.x, t["y"], t[1] = 1, 2, 3
t.x.y.z = nil
f().field = 1
(t).x = 2
t[t[1]] = t
local i = 3
i, t[i] = i + 1, 20
x, y = f()
