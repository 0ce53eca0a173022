-- error: 4:13: <goto continue> at line 4 jumps into the scope of local 'x'
-- in repeat-until the label before until is still in the scope of x
repeat
  if a then goto continue end
  local x = 1
  ::continue::
until x
