-- §3.4.9: table constructors
local t = {}
local a = {1, 2, 3,}
local b = {1; 2; 3;}
local c = {x = 1, y = 2; [3] = "three", [f(1)] = g, "positional", 30, [1+1] = 2}
local d = {{}, {{}}, {x = {y = {z = {}}}}}
local e = {f(), ...}
local g = {[ [[long key]] ] = 1}
local h = {x = function() end, y = {}}
