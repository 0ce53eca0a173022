-- LuaCATS annotations give types where inference cannot.
---@param s string?
local function size(s)
  return #s --@ maybe-nil
end
---@param s string
local function size2(s)
  return #s
end
---@return string?
local function maybe()
  return "x"
end
local m = maybe():upper() --@ maybe-nil
---@type number
local v = input.amount
local w = v + 1
---@class Point
---@field x number
---@field y number?
---@type Point
local p = { x = 1 }
local px = p.x + 1
local py = p.y + 1 --@ maybe-nil
print(size("a"), size2("b"), m, w, px, py)
return { normalized_vendor = "x" }
