-- §3.5: local scopes and shadowing
local x = 10
do
  local x = x + 1
  do local x = x + 1 end
end
local x = x
for x = 1, 2 do local x = x end
local function x() return x end
