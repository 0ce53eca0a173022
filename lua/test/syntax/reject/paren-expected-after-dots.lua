-- error: 2:15: ')' expected near ','
function f(..., a) end
