-- goto and labels (manual §3.3.4)
local buffer = {}
local function out(...)
  for _, v in ipairs({ ... }) do
    buffer[#buffer + 1] = tostring(v)
  end
end
local function flush()
  print(table.concat(buffer))
  buffer = {}
end
for i = 1, 3 do
  for j = 1, 3 do
    if j == 2 then goto continue end
    out(i, ":", j, " ")
    ::continue::
  end
end
flush()
local i = 1
::again::
if i <= 3 then
  out(i, " ")
  i = i + 1
  goto again
end
flush()
do
  local k = 0
  ::a::
  k = k + 1
  if k < 5 then goto a end
  print("k", k)
end
for n = 1, 10 do
  if n % 2 == 0 then goto skip end
  if n > 7 then goto done end
  out(n, ",")
  ::skip::
end
::done::
flush()
while true do
  do
    goto out
  end
end
::out::
print("out")
