-- error: 3:1: ']' expected near <eof>
x = t[1
