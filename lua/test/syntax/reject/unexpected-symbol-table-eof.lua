-- error: 3:1: unexpected symbol near <eof>
x = {
