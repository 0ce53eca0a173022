-- error: 2:7: <eof> expected near 'until'
x = 1 until x
