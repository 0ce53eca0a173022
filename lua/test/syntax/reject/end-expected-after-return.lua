-- error: 4:5: 'end' expected (to close 'do' at line 2) near '='
do
  return
  x = 1
end
