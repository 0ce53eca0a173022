-- error: 3:1: function arguments expected near <eof>
obj:method
