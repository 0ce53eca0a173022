-- Numerals as llex.c reads them: decimal and hexadecimal, integers and floats.
local i = { 0, 3, 345, 9007199254740993, 9223372036854775807 }
local f = { 3.0, 3.1416, 314.16e-2, 0.31416E1, 34e1, 5., .5, 1e+10 }
local h = { 0xff, 0XBEBADA, 0x7fffffffffffffff, 0xA }
local hf = { 0x0.1E, 0xA23p-4, 0X1.921FB54442D18P+1, 0x.8, 0x1p4, 0xA. }
-- malformed: each is one token that Lua rejects
local bad = { 3abc, 1..2, 12e, 0x1pz, 0xp1 }
-- not numerals: a digit inside a name, a field after a call, concatenation with spaces
local name2 = x1 .. 2 .. t.y3
for k=1,10 do end
