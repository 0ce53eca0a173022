-- error: 2:20: 'then' expected near 'end'
if x then elseif y end
