local f = io.open("data/rates.csv")
local g = io.open("./data//rates.csv", "rb")
local h = io.open("data/rates.csv", "w") --@ ungranted-file
local o = io.open("out/report.txt", "w")
local o2 = io.open("out/report.txt", "a")
local o3 = io.open("out/report.txt") --@ ungranted-file
local o4 = io.open("out/report.txt", "r+") --@ ungranted-file
local l = io.open("logs/run.log", "a+")
for _line in io.lines("logs/run.log") do end
for _line in io.lines("out/report.txt") do end --@ ungranted-file
local e = io.open("data/rate.csv") --@ ungranted-file
local p = io.open("../secrets.txt") --@ ungranted-file
local q = io.open("/etc/passwd") --@ ungranted-file
local open = io.open
local r = open("data/other.csv") --@ ungranted-file
local dyn = io.open(input.path, "w")
local m = io.open("logs/run.log", input.mode)
local popen = io.popen("ls") --@ forbidden
for _line in io.lines() do end
print(g, h, o, o2, o3, o4, l, e, p, q, r, dyn, m, popen)
f:close() --@ maybe-nil
return { total = 1 }
