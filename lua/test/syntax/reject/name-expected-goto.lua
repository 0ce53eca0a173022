-- error: 2:6: <name> expected near '1'
goto 1
