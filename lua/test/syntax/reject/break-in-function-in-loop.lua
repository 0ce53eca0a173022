-- error: 3:24: <break> at line 3 not inside a loop
while true do
  local f = function() break end
end
