-- error: 2:5: syntax error near '='
(a) = 1
