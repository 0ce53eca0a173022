-- error: 6:1: 'end' expected (to close 'if' at line 2) near <eof>
if x then
  y()
else
  z()
