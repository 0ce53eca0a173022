-- error: 3:28: cannot use '...' outside a vararg function near '...'
function f(...)
  return function() return ... end
end
