-- error: 4:3: no visible label 'outer' for <goto> at line 4
::outer::
local function f()
  goto outer
end
