-- error: 2:9: unexpected symbol near '/'
x = 7 /// 2
