-- an error inside a sort comparator (a native calling Lua)
local t = { 3, 1, 2 }
table.sort(t, function(a, b)
  if a == 2 then error("no twos") end
  return a < b
end)
