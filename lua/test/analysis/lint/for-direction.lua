-- Numeric loops that run zero times, or whose step is 0.
for i = 10, 1 do print(i) end --@ for-direction
for i = 1, 10, -1 do print(i) end --@ for-direction
for i = -1, -5 do print(i) end --@ for-direction
for i = 1, 2, 0 do print(i) end --@ for-direction
for i = 10, 1, -1 do print(i) end
for i = 1, 1 do print(i) end
for i = 1.5, 2 do print(i) end
local n = 3
for i = n, 1 do print(i) end
