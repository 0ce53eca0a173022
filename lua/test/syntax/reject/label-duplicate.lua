-- error: 4:3: label 'again' already defined on line 2
::again::
x = 1
::again::
