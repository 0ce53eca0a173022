-- error: 2:7: '=' or 'in' expected near 'do'
for i do end
