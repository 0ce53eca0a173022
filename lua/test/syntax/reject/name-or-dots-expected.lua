-- error: 2:15: <name> or '...' expected near '1'
function f(a, 1) end
