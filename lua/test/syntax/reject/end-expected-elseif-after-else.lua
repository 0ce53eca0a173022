-- error: 2:16: 'end' expected near 'elseif'
if x then else elseif y then end
