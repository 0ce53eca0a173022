-- error: 2:5: <name> expected near '1'
for 1 = 1, 2 do end
