-- error: 2:15: label 'a' already defined on line 2
::a:: ::b:: ::a::
