-- §3.3.4: control structures
while x do x = x - 1 end
repeat local y = 1 until y == 1   -- the condition sees the body's local
if a then b() elseif c then d() elseif e then f() else g() end
if a then end
for i = 1, 10 do end
for i = 10, 1, -1 do print(i) end
for k, v in pairs(t) do print(k, v) end
for a, b, c, d in f, s, v do end
do local x = 1 end
while true do break end
repeat break until false
for i = 1, 2 do if i then break end end
