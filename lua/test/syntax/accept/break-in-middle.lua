-- Lua 5.2+ allows break anywhere in a loop body
while true do
  break
  print("unreachable but valid")
end
