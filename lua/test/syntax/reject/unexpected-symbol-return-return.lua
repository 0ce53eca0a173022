-- error: 2:8: unexpected symbol near 'return'
return return
