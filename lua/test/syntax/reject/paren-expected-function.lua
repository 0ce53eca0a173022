-- error: 2:12: '(' expected near 'end'
function f end
