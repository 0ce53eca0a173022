-- a deep traceback is abbreviated ("..." and skipped levels)
local function rec(n)
  if n == 0 then error("bottom") end
  rec(n - 1)
end
rec(40)
