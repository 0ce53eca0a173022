-- error: 2:5: syntax error near '='
f() = 1
