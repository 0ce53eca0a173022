function global_fn(a, b) end
local function local_fn(x, ...) end
function M.sub.fn(self) end
function Account:deposit(amount) self.balance = self.balance + amount end
local anon = function(p) return p end
local multi = function(first,
                       second)
end
obj:method(1)
obj:method "str"
obj:method { 1, 2 }
obj:method [[long]]
obj.field.call(2)
print "hello"
call { x = 1 }
for i = 1, 3 do
  for j = 1, 3 do
    if j == 2 then goto continue end
  end
  ::continue::
end
