-- load of a chunk of 190 nested parentheses and a 10,000-term sum (20 KB: compiled on the compile worker).
-- @expect ok
-- @output [1,10000]
-- @contract {"stdlib": {"allow": ["load"]}}
local deep = load("return " .. string.rep("(", 190) .. "1" .. string.rep(")", 190))
local long = load("return " .. string.rep("1+", 9999) .. "1")
return { deep(), long() }
