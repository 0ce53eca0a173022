-- error: 2:8: syntax error near '='
a, f() = 1, 2
