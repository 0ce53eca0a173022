-- load of a 20,000-term and/or chain: the compiler's jump-list walks grow as its square (as in PUC);
-- compiled on the compile worker, which stops where the budget would have, and pcall cannot catch it.
-- @ci
-- @expect budget
-- @contract {"stdlib": {"allow": ["load"]}}
local ok = pcall(load, "return " .. string.rep("x and ", 20000) .. "x")
return ok
