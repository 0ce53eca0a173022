-- expect definition: sandlua.json:18
local f = io.open("./out/rep$0ort.txt", "w")
