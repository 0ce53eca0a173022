-- Globals: undefined ones, writes, and the script's own functions.
local a = undefined_thing --@ undefined-global
local b = pirnt --@ undefined-global
counter = 1 --@ global-write
function helper() return 1 end --@ global-write
local c = helper() + counter
input = {} --@ global-write
string = nil --@ global-write
return { normalized_vendor = tostring(a) .. tostring(b) .. c }
