-- error: 2:3: <name> expected near 'end'
t.end = 1
