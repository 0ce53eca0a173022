-- Upvalues in luac's order: first need, counting the needs of nested functions.
local a, b, c = 1, 2, 3
local function level1(p)
  local q = p + c
  return function(r)
    local s = r + b
    return function()
      return a + q + s + r + p + d
    end, function() return b, level1 end
  end
end
local t = {}
for i = 1, 3 do
  local captured = i
  t[i] = function() captured = captured + a; return captured, i end
end
local obj = {}
function obj:method()
  return function() return self, obj, function() return self.x end end
end
return level1, t, obj
