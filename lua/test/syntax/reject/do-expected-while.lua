-- error: 2:9: 'do' expected near 'then'
while x then end
