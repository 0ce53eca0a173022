-- an uncaught runtime error: message and traceback as lua.c prints them
local Account = {}
Account.__index = Account
function Account.new(b)
  return setmetatable({ balance = b }, Account)
end
function Account:withdraw(n)
  if n > self.balance then
    local limit = self.limit
    return self.balance - n + limit.value
  end
  self.balance = self.balance - n
end
local function process(acc, amounts)
  for _, n in ipairs(amounts) do
    acc:withdraw(n)
  end
end
process(Account.new(100), { 10, 200 })
