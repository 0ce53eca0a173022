do
  goto finish
  local a, b = 1, 2
  ::finish::
end
