-- error: 2:6: 'then' expected near 'do'
if x do end
