-- Corners found by the 5.3.6 test suite and by comparing with lua5.3.

-- NaN keeps its sign as x86 makes it: 0/0 is -nan, its negation nan.
local nan = 0 / 0
print(nan, -nan, nan + 1, -nan + 1, math.huge - math.huge, 1 % 0.0, math.fmod(1, 0.0))
print(string.format("%f %g %.3f", nan, -nan, nan))

-- table.pack keeps nils as holes of its array part, so the border is n.
local p = table.pack(1, nil, 3)
print(p.n, #p)

-- tonumber with a base takes a sign, and spaces around.
print(tonumber("  +1Z  ", 36), tonumber("  -1z  ", 36), tonumber("+", 10), tonumber("-", 10))

-- table.move near math.maxinteger computes its indices exactly.
local maxI, minI = math.maxinteger, math.mininteger
local function checkmove(f, e, t)
  local pos1, pos2
  local a = setmetatable({}, {
    __index = function(_, k)
      pos1 = k
    end,
    __newindex = function(_, k)
      pos2 = k
      error()
    end,
  })
  print(pcall(table.move, a, f, e, t), pos1, pos2)
end
checkmove(1, maxI, 0)
checkmove(0, maxI - 1, 1)
checkmove(minI, -2, -5)
checkmove(minI + 1, -1, 1)

-- print calls whatever the global tostring is now.
do
  local tostring = tostring
  _ENV.tostring = function(v)
    return "<" .. tostring(v) .. ">"
  end
  print(1, "a", nil)
  _ENV.tostring = function()
    return 1
  end
  print(pcall(print, 1))
  _ENV.tostring = function()
    return {}
  end
  local ok1, err1 = pcall(print, 1)
  _ENV.tostring = nil
  local ok2, err2 = pcall(print, 1)
  _ENV.tostring = tostring
  print(ok1, err1, ok2, err2)
end
print("done")
