-- error: 3:1: '=' expected near <eof>
a, b
