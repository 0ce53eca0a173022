-- error: 2:10: 'in' expected near '='
for a, b = 1, 2 do end
