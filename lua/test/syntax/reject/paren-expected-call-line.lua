-- error: 7:1: ')' expected (to close '(' at line 3) near <eof>
-- Lua names the line where the whole call expression starts
print
(
1,
2
