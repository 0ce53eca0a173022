-- A table.sort comparator that sorts again.
-- @expect stack
local t = { 3, 2, 1 }
local function cmp(a, b) table.sort({ 2, 1 }, cmp) return a < b end
return pcall(table.sort, t, cmp)
