-- every kind of statement (§3.3)
local a, b = 1
x, y.z, t[1] = a, b
f(a)
do local c = 2 end
while a < 10 do a = a + 1 end
repeat local d = a until d
if a then b = 1 elseif b then b = 2 else b = 3 end
for i = 1, 10, 2 do break end
for k, v in pairs(t) do goto continue ::continue:: end
function m.n:o(p, ...) return p end
local function g() end
;
return a, b
