-- backward gotos, and gotos out of nested blocks
local i = 1
::top::
i = i + 1
if i < 3 then goto top end
do
  do goto out end
end
::out::
for j = 1, 2 do
  for k = 1, 2 do
    if k == j then goto next_j end
  end
  ::next_j::
end
