-- error: 4:1: ')' expected (to close '(' at line 2) near <eof>
x = (1 +
2
