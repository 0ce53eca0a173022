-- expect hover: read-write access, declared by **pricing**
local f = io.open("logs/r$0un.log", "a+")
