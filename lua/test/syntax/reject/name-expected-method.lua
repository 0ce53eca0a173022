-- error: 2:3: <name> expected near '1'
a:1()
