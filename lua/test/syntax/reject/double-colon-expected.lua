-- error: 2:4: '::' expected near ':'
::a: x()
