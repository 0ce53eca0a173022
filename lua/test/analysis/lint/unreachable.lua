-- Code that can never run.
local function a(x)
  if x then
    error("no")
    print("after error") --@ unreachable-code
  end
  return x
end
local function b(x)
  if x then return 1 else error("no") end
  print("never") --@ unreachable-code
  print("never either")
end
for i = 1, 3 do
  if i == 2 then
    break
    print(i) --@ unreachable-code
  end
end
for i = 1, 3 do
  if i == 2 then goto continue end
  print(i)
  ::continue::
end
local function c()
  do return 1 end
  print("after do return") --@ unreachable-code
end
local function d(x)
  if x then return 1 end
  print("reachable")
  return 2
end
local function e(x)
  goto skip
  print(x) --@ unreachable-code
  ::skip::
  print("reachable again")
end
local function f()
  os.exit(1)
  print("gone") --@ unreachable-code
end
print(a, b, c, d, e, f)
