-- error: 2:8: <eof> expected near 'else'
do end else
