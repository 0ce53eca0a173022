-- error: 4:1: 'until' expected (to close 'repeat' at line 2) near <eof>
repeat
  x = 1
