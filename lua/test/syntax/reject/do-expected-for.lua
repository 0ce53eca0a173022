-- error: 2:14: 'do' expected near 'end'
for i = 1, 2 end
