-- error: 3:1: 'end' expected (to close 'do' at line 2) near <eof>
do x = 1
