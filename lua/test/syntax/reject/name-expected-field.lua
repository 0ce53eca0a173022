-- error: 2:7: <name> expected near '('
x = a.(b)
