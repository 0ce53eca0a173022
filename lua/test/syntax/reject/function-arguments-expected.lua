-- error: 2:11: function arguments expected near '.'
obj:method.x()
