-- error: 2:8: unexpected symbol near ':'
x = "a":upper()
