-- error: 3:10: cannot use '...' outside a vararg function near '...'
function f()
  return ...
end
