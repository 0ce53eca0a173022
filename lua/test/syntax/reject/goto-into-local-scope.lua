-- error: 3:3: <goto skip> at line 3 jumps into the scope of local 'x'
do
  goto skip
  local x = 1
  ::skip::
  print(x)
end
