-- §3.3.4: goto as continue: a label at the end of a block is outside its locals' scope
for i = 1, 3 do
  if i == 2 then goto continue end
  local x = i * 2
  print(x)
  ::continue::
end
while x do
  goto next
  local y = 1
  ::next::
  ;;
end
