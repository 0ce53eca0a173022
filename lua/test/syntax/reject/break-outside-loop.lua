-- error: 3:1: <break> at line 3 not inside a loop
x = 1
break
x = 2
