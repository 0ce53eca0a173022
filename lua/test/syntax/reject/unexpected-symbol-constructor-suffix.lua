-- error: 2:7: unexpected symbol near '.'
x = {}.a
