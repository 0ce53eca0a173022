-- error: 2:11: ',' expected near 'do'
for i = 1 do end
