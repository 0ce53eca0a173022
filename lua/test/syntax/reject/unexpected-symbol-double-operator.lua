-- error: 2:10: unexpected symbol near '=='
x = 1 == == 2
