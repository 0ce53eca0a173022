-- gsub with a Lua function as replacement: results, errors inside the callback, yields across it,
-- nesting and recursion through it
print((("hello world from lua"):gsub("%w+", function(w)
  return w:upper()
end)))
print(("abc"):gsub("", function()
  return "-"
end))
print(("abc"):gsub("%w", function(c)
  if c == "b" then return nil end
  return c .. c
end))
print(("x = 1, y = 2"):gsub("(%w+) = (%w+)", function(k, v)
  return v .. " = " .. k
end))
print(("aaa"):gsub("^a", function(a)
  return "b"
end))
print(("aaa"):gsub("a", function(a)
  return 7
end, 2))
print(("a b c"):gsub("%w", function(c)
  return false
end))
print(("one two"):gsub("(%w+)", function(w)
  return (w:gsub(".", function(c)
    return c .. "."
  end))
end))
print(pcall(string.gsub, "abc", "%w", function(c)
  if c == "b" then error("bad " .. c) end
  return c
end))
print(pcall(string.gsub, "abc", "%w", function(c)
  error({ code = c })
end))
print(select(
  2,
  pcall(string.gsub, "abc", "%w", function(c)
    return {}
  end)
))
print(pcall(string.gsub, "abc", "%w", function(c)
  local t = nil
  return t.x
end))
local co = coroutine.create(function()
  return ("abc"):gsub("%w", function(c)
    coroutine.yield(c)
    return c
  end)
end)
print(coroutine.resume(co))
local depth = 0
local function deep(s)
  depth = depth + 1
  return (s:gsub(".", function(c)
    return deep(c)
  end))
end
local ok, message = pcall(deep, "x")
print(ok, message, depth > 100)
local seen = {}
print(("abcdef"):gsub("%w", function(c)
  seen[#seen + 1] = c
  return c:byte()
end))
print(table.concat(seen, ","))
print(("%d"):gsub("%%d", function()
  return "%1"
end))
local t = setmetatable({}, {
  __index = function(_, k)
    return k:upper()
  end,
})
print(("abc"):gsub("%w", t))
print(("abc"):gsub("%w", string.upper))
