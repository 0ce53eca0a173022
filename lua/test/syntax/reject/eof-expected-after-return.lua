-- error: 3:1: <eof> expected near 'x'
return 1
x = 2
