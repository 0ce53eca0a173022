-- error: 6:1: 'end' expected (to close 'function' at line 2) near <eof>
function f()
  if x then
    y()
  end
