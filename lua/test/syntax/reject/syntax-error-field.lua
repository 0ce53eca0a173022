-- error: 3:1: syntax error near <eof>
a.b.c
