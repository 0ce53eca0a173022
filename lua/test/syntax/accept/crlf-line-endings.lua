local a = 1
local b = [[x
y]]
if a then
  b = "c\
d"
end
