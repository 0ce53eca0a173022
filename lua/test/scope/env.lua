-- _ENV as Lua 5.3 defines it (manual §2.2): free names are fields of whatever _ENV is visible.
local print, setmetatable, G = print, setmetatable, _G
answer = 42
_ENV.other = _ENV["answer"]

local function sandboxed(_ENV, n)
  local function inner() return helper(n), _ENV.extra end
  return inner, helper
end

do
  local _ENV = { answer = 1 }
  value = answer
  local function read() return value, _ENV.value, function() return answer end end
  print(read)
end

local function outer()
  local _ENV = setmetatable({}, { __index = G })
  return function()
    return function() return x, _ENV end
  end
end

print(answer, sandboxed, outer, G.answer)
