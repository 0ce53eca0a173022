-- pcall catches the stack limit fifty times in a row: the first one ends the run.
-- @ci
-- @expect stack
local function f() return f() + 1 end
local n = 0
for i = 1, 50 do if not pcall(f) then n = n + 1 end end
return n
