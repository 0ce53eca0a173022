-- error: 2:13: '(' expected near '.'
function a:b.c() end
